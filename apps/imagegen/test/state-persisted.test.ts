import { describe, expect, test } from 'bun:test';
import { type KeyValueStorage, persisted } from '../src/state/persisted.ts';

/** A Map-backed storage that can be told to refuse writes (quota exceeded, private mode). */
function memoryStorage(initial: Record<string, string> = {}) {
  const map = new Map(Object.entries(initial));
  let full = false;
  const storage: KeyValueStorage = {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => {
      if (full) throw new Error('QuotaExceededError');
      map.set(key, value);
    },
    removeItem: (key) => void map.delete(key),
  };
  return { storage, map, fill: () => (full = true) };
}

const isTheme = (value: unknown): value is 'dark' | 'light' =>
  value === 'dark' || value === 'light';

describe('persisted(key)', () => {
  test('reads the stored JSON value, writes on set, forgets on reset', () => {
    const { storage, map } = memoryStorage({ k: JSON.stringify('light') });
    const theme = persisted('k', () => 'dark' as const, isTheme, storage);
    expect(theme.value()).toBe('light');
    theme.set('dark');
    expect(theme.value()).toBe('dark');
    expect(map.get('k')).toBe('"dark"');
    theme.reset();
    expect(theme.value()).toBe('dark');
    expect(map.has('k')).toBe(false);
  });

  test('missing, corrupt or rejected entries give the fallback; a bare legacy string is read', () => {
    const { storage } = memoryStorage({ corrupt: '{"a":', wrong: '42', legacy: 'light' });
    expect(persisted('missing', () => 'dark' as const, isTheme, storage).value()).toBe('dark');
    expect(persisted('corrupt', () => 'dark' as const, isTheme, storage).value()).toBe('dark');
    expect(persisted('wrong', () => 'dark' as const, isTheme, storage).value()).toBe('dark');
    expect(persisted('legacy', () => 'dark' as const, isTheme, storage).value()).toBe('light');
  });

  test('a refused write keeps the new value in memory; no storage at all still works', () => {
    const { storage, fill } = memoryStorage();
    const value = persisted('k', () => 'dark' as const, isTheme, storage);
    fill();
    value.set('light');
    expect(value.value()).toBe('light');
    const nowhere = persisted('k', () => 'dark' as const, isTheme, undefined);
    nowhere.set('light');
    expect(nowhere.value()).toBe('light');
  });
});
