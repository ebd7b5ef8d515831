import { type Accessor, createSignal } from 'solid-js';

/** The part of `Storage` persisted values need (tests pass a Map-backed one). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A value kept in storage under one key, as a Solid signal. */
export interface Persisted<T> {
  /** The current value (reactive). */
  readonly value: Accessor<T>;
  /** Replaces the value and writes it to storage. */
  set(next: T): void;
  /** Forgets the stored value; the fallback applies again. */
  reset(): void;
}

/**
 * A signal backed by `storage[key]` as JSON. A missing, corrupt or rejected entry (the `accept`
 * check decides what a valid value is) gives the fallback, so bad storage never stops the app;
 * a failing write (quota, private mode) keeps the in-memory value.
 */
export function persisted<T>(
  key: string,
  fallback: () => T,
  accept: (value: unknown) => value is T,
  storage: KeyValueStorage | undefined = globalThis.localStorage,
): Persisted<T> {
  const read = (): T => {
    const text = safely(() => storage?.getItem(key) ?? null, null);
    if (text === null) return fallback();
    const parsed = safely<unknown>(() => JSON.parse(text), text);
    return accept(parsed) ? parsed : fallback();
  };
  const [value, setValue] = createSignal<T>(read());
  return {
    value,
    set(next) {
      setValue(() => next);
      safely(() => storage?.setItem(key, JSON.stringify(next)), undefined);
    },
    reset() {
      setValue(() => fallback());
      safely(() => storage?.removeItem(key), undefined);
    },
  };
}

function safely<T>(action: () => T, otherwise: T): T {
  try {
    return action();
  } catch {
    return otherwise;
  }
}
