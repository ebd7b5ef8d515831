import { describe, type NativeOpcode, optional, param } from './native-opcode.ts';
import { ScriptError, type ScriptPath, toScriptError } from './script-error.ts';
import {
  checkParts,
  cloneValue,
  displayString,
  emptyObject,
  expectString,
  jsonText,
  typeOf,
} from './values.ts';

/** Refuses a conversion that yields no finite number (our finite-number policy). */
function finiteOrThrow(number: number, value: unknown, opcode: string, path: ScriptPath): number {
  if (!Number.isFinite(number)) {
    throw new ScriptError(
      'TypeError',
      `${opcode}: cannot convert ${displayString(value)} to a number`,
      path,
    );
  }
  return number;
}

/**
 * `std.number` as the reference (JavaScript's `Number`): `""` → 0, `" 12 "` → 12, `true` → 1,
 * `null` → 0, `"0x10"` → 16. Lists, objects and functions are refused rather than coerced
 * through their text.
 */
function toNumber(value: unknown, path: ScriptPath): number {
  const scalar =
    value === null ||
    value === undefined ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean';
  return finiteOrThrow(scalar ? Number(value ?? null) : Number.NaN, value, 'std.number', path);
}

/** `std.int`: the leading integer of the text in the radix (2–36), numbers truncated. */
function toInteger(value: unknown, radix: unknown, path: ScriptPath): number {
  let base = 10;
  if (radix !== undefined && radix !== null) {
    if (typeof radix !== 'number' || !Number.isInteger(radix) || radix < 2 || radix > 36) {
      throw new ScriptError('RangeError', 'std.int: radix must be an integer from 2 to 36', path);
    }
    base = radix;
  }
  if (typeof value === 'number' && base === 10) {
    return finiteOrThrow(Math.trunc(value), value, 'std.int', path);
  }
  const text = typeof value === 'number' ? String(value) : value;
  const parsed = typeof text === 'string' ? Number.parseInt(text, base) : Number.NaN;
  return finiteOrThrow(parsed, value, 'std.int', path);
}

/** `std.float`: the leading decimal number of the text; numbers pass through. */
function toFloat(value: unknown, path: ScriptPath): number {
  const parsed =
    typeof value === 'number'
      ? value
      : typeof value === 'string'
        ? Number.parseFloat(value)
        : Number.NaN;
  return finiteOrThrow(parsed, value, 'std.float', path);
}

/** JSON.parse into null-prototype objects so parsed keys can never reach a prototype. */
function parseJson(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const copy = emptyObject();
      for (const [entryKey, entryValue] of Object.entries(value)) copy[entryKey] = entryValue;
      return copy;
    }
    return value;
  });
}

/** Conversions, type inspection, logging, throwing and `json.*`. */
export const dataOpcodes: NativeOpcode[] = [
  {
    metadata: describe(
      'std.typeof',
      'data',
      'Type name: null, boolean, number, string, array (a list), object or function.',
      [param('value', 'any')],
      'string',
    ),
    // The reference names lists "array" here (error messages of this package say "list").
    impl: (args) => {
      const name = typeOf(args[0]);
      return name === 'list' ? 'array' : name;
    },
  },
  {
    metadata: describe(
      'std.int',
      'data',
      'The leading integer of a text in a radix (2–36, default 10); numbers truncate toward zero.',
      [param('value', 'any'), optional('radix', 'integer')],
      'integer',
    ),
    impl: (args, env) => toInteger(args[0], args[1], env.path),
  },
  {
    metadata: describe(
      'std.float',
      'data',
      'The leading decimal number of a text ("2.5kg" gives 2.5).',
      [param('value', 'any')],
      'number',
    ),
    impl: (args, env) => toFloat(args[0], env.path),
  },
  {
    metadata: describe(
      'std.number',
      'data',
      'Converts to a number ("" and null give 0, true 1, "0x10" 16).',
      [param('value', 'any')],
      'number',
    ),
    impl: (args, env) => toNumber(args[0], env.path),
  },
  {
    metadata: describe(
      'std.string',
      'data',
      'Converts to text (lists and objects become JSON).',
      [param('value', 'any')],
      'string',
    ),
    impl: (args, env) => displayString(args[0], env.path),
  },
  {
    metadata: describe(
      'std.boolean',
      'data',
      'Converts to a boolean (false, 0, "", null are false).',
      [param('value', 'any')],
      'boolean',
    ),
    impl: (args) => Boolean(args[0]),
  },
  {
    metadata: describe(
      'std.log',
      'debug',
      'Writes the values to the job log.',
      [param('values', 'any')],
      'null',
      { variadic: true },
    ),
    impl(args, env) {
      env.log('info', args.map((value) => displayString(value, env.path)).join(' '));
      return null;
    },
  },
  {
    metadata: describe(
      'std.warn',
      'debug',
      'Writes the values to the job log as a warning.',
      [param('values', 'any')],
      'null',
      { variadic: true },
    ),
    impl(args, env) {
      env.log('warn', args.map((value) => displayString(value, env.path)).join(' '));
      return null;
    },
  },
  {
    metadata: describe(
      'std.throw',
      'control',
      'Raises an error that std.try can catch.',
      [param('value', 'any')],
      'null',
    ),
    impl(args, env) {
      checkParts(args[0], 'std.throw', env.path);
      throw new ScriptError('Thrown', displayString(args[0], env.path), env.path, {
        value: cloneValue(args[0]),
      });
    },
  },
  {
    metadata: describe(
      'json.stringify',
      'json',
      'JSON text of a value.',
      [param('value', 'any')],
      'string',
    ),
    impl: (args, env) => jsonText(args[0], env.path),
  },
  {
    metadata: describe('json.parse', 'json', 'Parses JSON text.', [param('text', 'string')], 'any'),
    impl(args, env) {
      const text = expectString(args[0], 'json.parse', 1, env.path);
      try {
        return parseJson(text);
      } catch (error) {
        // Only a stack overflow is a depth problem; anything else is malformed text.
        if (error instanceof RangeError) throw toScriptError(error, env.path);
        throw new ScriptError('TypeError', `json.parse: ${(error as Error).message}`, env.path);
      }
    },
  },
];
