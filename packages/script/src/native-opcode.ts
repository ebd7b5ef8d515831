import type { LogLevel, OpcodeMetadata, OpcodeParam } from './opcode.ts';
import type { ScriptPath } from './script-error.ts';
import { deepEqual, MAX_VALUE_PARTS, type ScriptFunction } from './values.ts';

/** What a standard-library opcode sees while it runs (cheaper than the public OpcodeContext). */
export interface NativeEnv {
  readonly path: ScriptPath;
  /** Calls a lambda; returns its value, or a promise when the lambda awaited a capability. */
  call(fn: ScriptFunction, args: unknown[]): unknown;
  /** Calls a lambda that must finish synchronously: loops inside it do not yield to the host. */
  callSync(fn: ScriptFunction, args: unknown[]): unknown;
  log(level: LogLevel, message: string): void;
  /**
   * Charges gas for work sized by the data rather than by nodes (joined items, compared parts).
   * Opcodes call it BEFORE allocating, so a huge result ends in OutOfGas, not in host memory.
   */
  charge(units: number): void;
}

/** An eager standard-library opcode: arguments arrive evaluated. */
export interface NativeOpcode {
  metadata: OpcodeMetadata;
  impl(args: unknown[], env: NativeEnv): unknown;
}

/**
 * Opcodes whose result is a new structure or text sized by their inputs, not by the number of
 * nodes evaluated. Their results are charged gas by size (see `allocationCost`), so a script that
 * doubles a list or string in a loop runs out of gas instead of out of host memory.
 */
export const allocatingOpcodes: ReadonlySet<string> = new Set([
  'list.slice',
  'list.splice',
  'list.sort',
  'list.reverse',
  'obj.keys',
  'obj.values',
  'obj.entries',
  'obj.merge',
  'str.concat',
  'str.split',
  'str.join',
  'str.replace',
  'str.slice',
  'str.upper',
  'str.lower',
  'json.parse',
  'json.stringify',
  'std.string',
]);

/** Gas for a result of an allocating opcode: 1 per list item or object key, 1 per 32 characters. */
export function allocationCost(value: unknown): number {
  if (typeof value === 'string') return value.length >>> 5;
  if (Array.isArray(value)) return value.length;
  if (typeof value === 'object' && value !== null) {
    let keys = 0;
    for (const _ in value) keys++;
    return keys;
  }
  return 0;
}

/** Builds metadata with a label derived from the opcode name unless one is given. */
export function describe(
  opcode: string,
  category: string,
  description: string,
  params: OpcodeParam[],
  returns: string,
  flags: { lazy?: boolean; variadic?: boolean; label?: string } = {},
): OpcodeMetadata {
  const tail = opcode.includes('.') ? opcode.slice(opcode.lastIndexOf('.') + 1) : opcode;
  const label = flags.label ?? tail.charAt(0).toUpperCase() + tail.slice(1);
  return {
    opcode,
    label,
    category,
    description,
    params,
    returns,
    ...(flags.lazy ? { lazy: true } : {}),
    ...(flags.variadic ? { variadic: true } : {}),
  };
}

/** Shorthand for a required parameter. */
export function param(name: string, type: string, description?: string): OpcodeParam {
  return description ? { name, type, description } : { name, type };
}

/** Shorthand for an optional parameter. */
export function optional(name: string, type: string, defaultValue?: unknown): OpcodeParam {
  return defaultValue === undefined
    ? { name, type, optional: true }
    : { name, type, optional: true, default: defaultValue };
}

/**
 * Runs `step` for indices 0..count-1, staying synchronous until a step returns a promise, then
 * finishing asynchronously. Lets list opcodes keep a sync fast path yet call async lambdas.
 */
export function forEachMaybeAsync(
  count: number,
  step: (index: number) => unknown,
  onValue: (index: number, value: unknown) => boolean | undefined,
): undefined | Promise<undefined> {
  for (let index = 0; index < count; index++) {
    const value = step(index);
    if (value instanceof Promise) return continueAsync(index, value, count, step, onValue);
    if (onValue(index, value) === false) return undefined;
  }
  return undefined;
}

async function continueAsync(
  start: number,
  pending: Promise<unknown>,
  count: number,
  step: (index: number) => unknown,
  onValue: (index: number, value: unknown) => boolean | undefined,
): Promise<undefined> {
  if (onValue(start, await pending) === false) return undefined;
  for (let index = start + 1; index < count; index++) {
    if (onValue(index, await step(index)) === false) return undefined;
  }
  return undefined;
}

/**
 * Returns a constructor for one opcode family's entries, so each family file states only what
 * differs per opcode (name, description, params, result, implementation).
 */
export function opcodeFamily(category: string) {
  return (
    opcode: string,
    description: string,
    params: OpcodeParam[],
    returns: string,
    impl: NativeOpcode['impl'],
    variadic = false,
  ): NativeOpcode => ({
    metadata: describe(opcode, category, description, params, returns, { variadic }),
    impl,
  });
}

/** Collects `step(index)` for 0..count-1 into a list, sync until a step returns a promise. */
export function collectMaybeAsync(
  count: number,
  step: (index: number) => unknown,
): unknown[] | Promise<unknown[]> {
  const results = new Array<unknown>(count);
  const done = forEachMaybeAsync(count, step, (index, value) => {
    results[index] = value;
    return true;
  });
  return done instanceof Promise ? done.then(() => results) : results;
}

/** Applies `finish` to a value or, when it is a promise, to its result. */
export function then<T>(value: unknown, finish: (resolved: unknown) => T): T | Promise<T> {
  return value instanceof Promise ? value.then(finish) : finish(value);
}

/** Structural equality charged one gas per compared part (shared structure cannot run free). */
export function chargedEqual(left: unknown, right: unknown, env: NativeEnv): boolean {
  const budget = { remaining: MAX_VALUE_PARTS };
  try {
    return deepEqual(left, right, budget, env.path);
  } finally {
    env.charge(MAX_VALUE_PARTS - Math.max(budget.remaining, 0));
  }
}
