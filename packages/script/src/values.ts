import { ScriptError, type ScriptPath } from './script-error.ts';

/**
 * A function value created by `std.lambda`. It closes over its defining scope.
 * Serialises as `{"$lambda": [params]}` so results stay JSON.
 */
export class ScriptFunction {
  constructor(
    readonly params: string[],
    /** Invokes the body with arguments; returns a value or a promise of one. */
    readonly invoke: (args: unknown[], callPath: ScriptPath) => unknown,
  ) {}

  toJSON(): { $lambda: string[] } {
    return { $lambda: this.params };
  }
}

/** Script-level type name, as returned by `std.typeof`. */
export function typeOf(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'list';
  if (value instanceof ScriptFunction) return 'function';
  switch (typeof value) {
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    default:
      return 'object';
  }
}

/** Plain object with no prototype: `__proto__`/`constructor` keys are ordinary data. */
export function emptyObject(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

/** True for a script object (not a list, not a function, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof ScriptFunction)
  );
}

/**
 * Most parts (list items, object values, scalars) a value may have when walked as a tree. Shared
 * structure counts once per appearance: a list holding itself twice, doubled 28 times, costs a
 * few gas to build but has 2^28 parts to print or compare, so every walk is bounded by this.
 */
export const MAX_VALUE_PARTS = 1_000_000;

/** Counts a value's parts as a tree walk would visit them, stopping once past `limit`. */
export function countParts(value: unknown, limit = MAX_VALUE_PARTS): number {
  let count = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0 && count <= limit) {
    const current = pending.pop();
    count++;
    if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--) pending.push(current[index]);
    } else if (isObject(current)) {
      for (const key of Object.keys(current)) pending.push(current[key]);
    }
  }
  return count;
}

/** Throws `OutputLimit` when a value has more than MAX_VALUE_PARTS parts (see countParts). */
export function checkParts(value: unknown, what: string, path: ScriptPath): number {
  const parts = countParts(value);
  if (parts > MAX_VALUE_PARTS) {
    throw new ScriptError(
      'OutputLimit',
      `${what}: the value has more than ${MAX_VALUE_PARTS} parts (shared parts count each time they appear)`,
      path,
    );
  }
  return parts;
}

/** A count of parts an operation may still visit; `deepEqual` spends it. */
export interface PartsBudget {
  remaining: number;
}

/**
 * Structural equality over JSON-like values (functions compare by identity). Each pair of parts
 * compared spends one unit of `budget` (callers charge what was spent as gas); past the budget it
 * throws a RangeError at `path` instead of running exponentially long over shared structure.
 */
export function deepEqual(
  left: unknown,
  right: unknown,
  budget: PartsBudget = { remaining: MAX_VALUE_PARTS },
  path: ScriptPath = [],
): boolean {
  if (--budget.remaining < 0) {
    throw new ScriptError(
      'RangeError',
      `comparison visited more than ${MAX_VALUE_PARTS} parts (shared parts count each time they appear)`,
      path,
    );
  }
  if (left === right) return true;
  if (left === null || right === null || left === undefined || right === undefined) {
    return (left ?? null) === (right ?? null);
  }
  if (typeof left !== 'object' || typeof right !== 'object') return false;
  if (Array.isArray(left)) {
    if (!Array.isArray(right) || left.length !== right.length) return false;
    for (let index = 0; index < left.length; index++) {
      if (!deepEqual(left[index], right[index], budget, path)) return false;
    }
    return true;
  }
  if (Array.isArray(right) || left instanceof ScriptFunction || right instanceof ScriptFunction) {
    return false;
  }
  const leftKeys = Object.keys(left);
  const rightRecord = right as Record<string, unknown>;
  if (leftKeys.length !== Object.keys(rightRecord).length) return false;
  for (const key of leftKeys) {
    if (!Object.hasOwn(rightRecord, key)) return false;
    if (!deepEqual((left as Record<string, unknown>)[key], rightRecord[key], budget, path))
      return false;
  }
  return true;
}

/** Truthiness as scripts see it: JS truthiness (0, "", null, false are falsy). */
export function truthy(value: unknown): boolean {
  return Boolean(value);
}

/**
 * Text form of a value for `std.string`, logs and `str.concat`: JSON for structures. Bounded:
 * a structure with more than MAX_VALUE_PARTS parts is an `OutputLimit` error at `path`.
 */
export function displayString(value: unknown, path: ScriptPath = []): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof ScriptFunction) return `<lambda(${value.params.join(', ')})>`;
  return jsonText(value, path);
}

/** `JSON.stringify` after checking the value's size (see checkParts). */
export function jsonText(value: unknown, path: ScriptPath = []): string {
  checkParts(value, 'serialising', path);
  return JSON.stringify(value ?? null) ?? 'null';
}

/** Copies a JSON-like value so scripts can mutate results without touching their source. */
export function cloneValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneValue);
  if (isObject(value)) {
    const copy = emptyObject();
    for (const key of Object.keys(value)) copy[key] = cloneValue(value[key]);
    return copy;
  }
  return value;
}

// --- argument guards used by the standard library -------------------------------------------

/** Throws a TypeError naming the opcode and argument when `value` is not a number. */
export function expectNumber(
  value: unknown,
  opcode: string,
  argument: number,
  path: ScriptPath,
): number {
  if (typeof value !== 'number') {
    throw new ScriptError(
      'TypeError',
      `${opcode}: argument ${argument} must be a number, got ${typeOf(value)}`,
      path,
    );
  }
  return value;
}

/** Throws a TypeError when `value` is not a string. */
export function expectString(
  value: unknown,
  opcode: string,
  argument: number,
  path: ScriptPath,
): string {
  if (typeof value !== 'string') {
    throw new ScriptError(
      'TypeError',
      `${opcode}: argument ${argument} must be a string, got ${typeOf(value)}`,
      path,
    );
  }
  return value;
}

/** Throws a TypeError when `value` is not a list. */
export function expectList(
  value: unknown,
  opcode: string,
  argument: number,
  path: ScriptPath,
): unknown[] {
  if (!Array.isArray(value)) {
    throw new ScriptError(
      'TypeError',
      `${opcode}: argument ${argument} must be a list, got ${typeOf(value)}`,
      path,
    );
  }
  return value;
}

/** Throws a TypeError when `value` is not an object. */
export function expectObject(
  value: unknown,
  opcode: string,
  argument: number,
  path: ScriptPath,
): Record<string, unknown> {
  if (!isObject(value)) {
    throw new ScriptError(
      'TypeError',
      `${opcode}: argument ${argument} must be an object, got ${typeOf(value)}`,
      path,
    );
  }
  return value;
}

/** Throws a TypeError when `value` is not a function. */
export function expectFunction(
  value: unknown,
  opcode: string,
  argument: number,
  path: ScriptPath,
): ScriptFunction {
  if (!(value instanceof ScriptFunction)) {
    throw new ScriptError(
      'TypeError',
      `${opcode}: argument ${argument} must be a function (std.lambda), got ${typeOf(value)}`,
      path,
    );
  }
  return value;
}
