import {
  collectMaybeAsync,
  forEachMaybeAsync,
  type NativeEnv,
  type NativeOpcode,
  opcodeFamily,
  optional,
  param,
  then,
} from './native-opcode.ts';
import { emptyObject, expectFunction, expectObject, expectString, truthy } from './values.ts';

const object = opcodeFamily('object');

/** Calls fn(value, key) for each entry; results in key order. */
function mapEntries(
  source: Record<string, unknown>,
  fn: unknown,
  opcode: string,
  env: NativeEnv,
): unknown[] | Promise<unknown[]> {
  const lambda = expectFunction(fn, opcode, 2, env.path);
  const keys = Object.keys(source);
  return collectMaybeAsync(keys.length, (position) =>
    env.call(lambda, [source[keys[position]!], keys[position]]),
  );
}

/**
 * The `obj.*` family (`obj.new` is a lazy form, see special-forms). Objects have no prototype, so
 * keys like `__proto__` and `constructor` are ordinary data.
 */
export const objectOpcodes: NativeOpcode[] = [
  object(
    'obj.keys',
    'The keys, in insertion order.',
    [param('object', 'object')],
    'list',
    (args, env) => Object.keys(expectObject(args[0], 'obj.keys', 1, env.path)),
  ),
  object(
    'obj.values',
    'The values, in key order.',
    [param('object', 'object')],
    'list',
    (args, env) => Object.values(expectObject(args[0], 'obj.values', 1, env.path)),
  ),
  object(
    'obj.entries',
    'A list of [key, value] pairs.',
    [param('object', 'object')],
    'list',
    (args, env) => Object.entries(expectObject(args[0], 'obj.entries', 1, env.path)),
  ),
  object(
    'obj.get',
    'The value at a key, or the default (null) when absent.',
    [param('object', 'object'), param('key', 'string'), optional('default', 'any', null)],
    'any',
    (args, env) => {
      const source = expectObject(args[0], 'obj.get', 1, env.path);
      const key = expectString(args[1], 'obj.get', 2, env.path);
      return Object.hasOwn(source, key) ? source[key] : (args[2] ?? null);
    },
  ),
  object(
    'obj.set',
    'Sets a key in place; returns the object (so list.reduce with obj.set accumulates).',
    [param('object', 'object'), param('key', 'string'), param('value', 'any')],
    'object',
    (args, env) => {
      const target = expectObject(args[0], 'obj.set', 1, env.path);
      target[expectString(args[1], 'obj.set', 2, env.path)] = args[2];
      return target;
    },
  ),
  object(
    'obj.has',
    'True when the object has the key.',
    [param('object', 'object'), param('key', 'string')],
    'boolean',
    (args, env) =>
      Object.hasOwn(
        expectObject(args[0], 'obj.has', 1, env.path),
        expectString(args[1], 'obj.has', 2, env.path),
      ),
  ),
  object(
    'obj.del',
    'Removes a key in place; returns whether it was there.',
    [param('object', 'object'), param('key', 'string')],
    'boolean',
    (args, env) => {
      const target = expectObject(args[0], 'obj.del', 1, env.path);
      const key = expectString(args[1], 'obj.del', 2, env.path);
      const had = Object.hasOwn(target, key);
      delete target[key];
      return had;
    },
  ),
  object(
    'obj.merge',
    'A new object with the keys of every argument (later ones win).',
    [param('objects', 'object')],
    'object',
    (args, env) => {
      const merged = emptyObject();
      args.forEach((value, position) => {
        const source = expectObject(value, 'obj.merge', position + 1, env.path);
        for (const key of Object.keys(source)) merged[key] = source[key];
      });
      return merged;
    },
    true,
  ),
  object(
    'obj.map',
    'A new object with fn(value, key) for each value.',
    [param('object', 'object'), param('fn', 'lambda')],
    'object',
    (args, env) => {
      const source = expectObject(args[0], 'obj.map', 1, env.path);
      return then(mapEntries(source, args[1], 'obj.map', env), (values) => {
        const mapped = emptyObject();
        Object.keys(source).forEach((key, position) => {
          mapped[key] = (values as unknown[])[position];
        });
        return mapped;
      });
    },
  ),
  object(
    'obj.filter',
    'The entries for which the predicate (value, key) is truthy.',
    [param('object', 'object'), param('predicate', 'lambda')],
    'object',
    (args, env) => {
      const source = expectObject(args[0], 'obj.filter', 1, env.path);
      return then(mapEntries(source, args[1], 'obj.filter', env), (flags) => {
        const kept = emptyObject();
        Object.keys(source).forEach((key, position) => {
          if (truthy((flags as unknown[])[position])) kept[key] = source[key];
        });
        return kept;
      });
    },
  ),
  object(
    'obj.flatMap',
    'Merges the objects returned by fn(value, key).',
    [param('object', 'object'), param('fn', 'lambda')],
    'object',
    (args, env) => {
      const source = expectObject(args[0], 'obj.flatMap', 1, env.path);
      return then(mapEntries(source, args[1], 'obj.flatMap', env), (parts) => {
        const merged = emptyObject();
        for (const part of parts as unknown[]) {
          const piece = expectObject(part, 'obj.flatMap result', 1, env.path);
          for (const key of Object.keys(piece)) merged[key] = piece[key];
        }
        return merged;
      });
    },
  ),
  object(
    'obj.reduce',
    'Folds the entries: fn(accumulator, value, key), starting from `initial`.',
    [param('object', 'object'), param('fn', 'lambda'), param('initial', 'any')],
    'any',
    (args, env) => {
      const source = expectObject(args[0], 'obj.reduce', 1, env.path);
      const reducer = expectFunction(args[1], 'obj.reduce', 2, env.path);
      const keys = Object.keys(source);
      let accumulator = args[2];
      const done = forEachMaybeAsync(
        keys.length,
        (position) => env.call(reducer, [accumulator, source[keys[position]!], keys[position]]),
        (_, value) => {
          accumulator = value;
          return true;
        },
      );
      return then(done, () => accumulator);
    },
  ),
];
