import { describe, type NativeOpcode, param } from './native-opcode.ts';
import { ScriptError, toScriptError } from './script-error.ts';
import { cloneValue, displayString, emptyObject, expectString, typeOf } from './values.ts';

function toNumber(value: unknown, opcode: string, path: (string | number)[]): number {
  const number =
    typeof value === 'string' && value.trim() !== ''
      ? Number(value)
      : typeof value === 'number'
        ? value
        : typeof value === 'boolean'
          ? Number(value)
          : Number.NaN;
  if (!Number.isFinite(number)) {
    throw new ScriptError(
      'TypeError',
      `${opcode}: cannot convert ${displayString(value)} to a number`,
      path,
    );
  }
  return number;
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
      'Converts to an integer (truncates toward zero).',
      [param('value', 'any')],
      'integer',
    ),
    impl: (args, env) => Math.trunc(toNumber(args[0], 'std.int', env.path)),
  },
  {
    metadata: describe(
      'std.float',
      'data',
      'Converts to a number.',
      [param('value', 'any')],
      'number',
    ),
    impl: (args, env) => toNumber(args[0], 'std.float', env.path),
  },
  {
    metadata: describe(
      'std.number',
      'data',
      'Converts to a number.',
      [param('value', 'any')],
      'number',
    ),
    impl: (args, env) => toNumber(args[0], 'std.number', env.path),
  },
  {
    metadata: describe(
      'std.string',
      'data',
      'Converts to text (lists and objects become JSON).',
      [param('value', 'any')],
      'string',
    ),
    impl: (args) => displayString(args[0]),
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
      env.log('info', args.map(displayString).join(' '));
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
      env.log('warn', args.map(displayString).join(' '));
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
      throw new ScriptError('Thrown', displayString(args[0]), env.path, {
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
    impl: (args) => JSON.stringify(args[0] ?? null),
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
