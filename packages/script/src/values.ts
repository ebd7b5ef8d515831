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

/** Structural equality over JSON-like values (functions compare by identity). */
export function deepEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (left === null || right === null || left === undefined || right === undefined) {
    return (left ?? null) === (right ?? null);
  }
  if (typeof left !== 'object' || typeof right !== 'object') return false;
  if (Array.isArray(left)) {
    if (!Array.isArray(right) || left.length !== right.length) return false;
    for (let index = 0; index < left.length; index++) {
      if (!deepEqual(left[index], right[index])) return false;
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
    if (!deepEqual((left as Record<string, unknown>)[key], rightRecord[key])) return false;
  }
  return true;
}

/** Truthiness as scripts see it: JS truthiness (0, "", null, false are falsy). */
export function truthy(value: unknown): boolean {
  return Boolean(value);
}

/** Text form of a value for `std.string`, logs and `str.concat`: JSON for structures. */
export function displayString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof ScriptFunction) return `<lambda(${value.params.join(', ')})>`;
  return JSON.stringify(value);
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
