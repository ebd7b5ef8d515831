import {
  chargedEqual,
  collectMaybeAsync,
  forEachMaybeAsync,
  type NativeEnv,
  type NativeOpcode,
  opcodeFamily,
  optional,
  param,
  then,
} from './native-opcode.ts';
import { ScriptError, type ScriptPath } from './script-error.ts';
import { expectFunction, expectList, expectNumber, truthy } from './values.ts';

function index(value: unknown, opcode: string, argument: number, path: ScriptPath): number {
  const number = expectNumber(value, opcode, argument, path);
  if (!Number.isInteger(number)) {
    throw new ScriptError('TypeError', `${opcode}: index must be an integer, got ${number}`, path);
  }
  return number;
}

const list = opcodeFamily('list');

/**
 * Joins lists into a new one, charging one gas per item BEFORE allocating (a flatMap of a list
 * over itself must end in OutOfGas, not in gigabytes). Items are copied in a loop: spreading a
 * long list into `push` overflows the host stack.
 */
function joinLists(lists: unknown[][], env: NativeEnv): unknown[] {
  let total = 0;
  for (const part of lists) total += part.length;
  env.charge(total);
  const joined = new Array<unknown>(total);
  let at = 0;
  for (const part of lists) {
    for (let index = 0; index < part.length; index++) joined[at++] = part[index];
  }
  return joined;
}

/** Calls `fn(item, index)` over a list, sync until a call returns a promise. */
function mapList(
  items: unknown[],
  fn: unknown,
  opcode: string,
  env: NativeEnv,
): unknown[] | Promise<unknown[]> {
  const lambda = expectFunction(fn, opcode, 2, env.path);
  return collectMaybeAsync(items.length, (position) =>
    env.call(lambda, [items[position], position]),
  );
}

function compareDefault(left: unknown, right: unknown, path: ScriptPath): number {
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'string' && typeof right === 'string')
    return left < right ? -1 : left > right ? 1 : 0;
  throw new ScriptError(
    'TypeError',
    'list.sort: without a comparator, items must be all numbers or all strings',
    path,
  );
}

/** The `list.*` family. Mutating opcodes (set, push, pop, shift, unshift, splice, reverse, sort) change the list in place, as in the reference. */
export const listOpcodes: NativeOpcode[] = [
  list(
    'list.new',
    'A list of the given items.',
    [param('items', 'any')],
    'list',
    (args) => args.slice(),
    true,
  ),
  list(
    'list.len',
    'Number of items.',
    [param('list', 'list')],
    'number',
    (args, env) => expectList(args[0], 'list.len', 1, env.path).length,
  ),
  list(
    'list.empty',
    'True when the list has no items.',
    [param('list', 'list')],
    'boolean',
    (args, env) => expectList(args[0], 'list.empty', 1, env.path).length === 0,
  ),
  list(
    'list.get',
    'The item at an index (null when out of range).',
    [param('list', 'list'), param('index', 'integer')],
    'any',
    (args, env) => {
      const items = expectList(args[0], 'list.get', 1, env.path);
      return items[index(args[1], 'list.get', 2, env.path)] ?? null;
    },
  ),
  list(
    'list.set',
    'Replaces the item at an index (0..length); returns the value.',
    [param('list', 'list'), param('index', 'integer'), param('value', 'any')],
    'any',
    (args, env) => {
      const items = expectList(args[0], 'list.set', 1, env.path);
      const position = index(args[1], 'list.set', 2, env.path);
      if (position < 0 || position > items.length) {
        throw new ScriptError(
          'RangeError',
          `list.set: index ${position} outside 0..${items.length}`,
          env.path,
        );
      }
      items[position] = args[2];
      return args[2];
    },
  ),
  list(
    'list.push',
    'Appends an item; returns the new length.',
    [param('list', 'list'), param('value', 'any')],
    'number',
    (args, env) => expectList(args[0], 'list.push', 1, env.path).push(args[1]),
  ),
  list(
    'list.pop',
    'Removes and returns the last item (null when empty).',
    [param('list', 'list')],
    'any',
    (args, env) => expectList(args[0], 'list.pop', 1, env.path).pop() ?? null,
  ),
  list(
    'list.unshift',
    'Prepends an item; returns the new length.',
    [param('list', 'list'), param('value', 'any')],
    'number',
    (args, env) => expectList(args[0], 'list.unshift', 1, env.path).unshift(args[1]),
  ),
  list(
    'list.shift',
    'Removes and returns the first item (null when empty).',
    [param('list', 'list')],
    'any',
    (args, env) => expectList(args[0], 'list.shift', 1, env.path).shift() ?? null,
  ),
  list(
    'list.slice',
    'A copy of part of the list (negative indices count from the end).',
    [param('list', 'list'), optional('start', 'integer', 0), optional('end', 'integer')],
    'list',
    (args, env) => {
      const items = expectList(args[0], 'list.slice', 1, env.path);
      const start = args[1] === undefined ? 0 : index(args[1], 'list.slice', 2, env.path);
      const end = args[2] === undefined ? items.length : index(args[2], 'list.slice', 3, env.path);
      return items.slice(start, end);
    },
  ),
  list(
    'list.splice',
    'Removes `count` items at `start`, inserts the rest; returns the removed items.',
    [
      param('list', 'list'),
      param('start', 'integer'),
      param('count', 'integer'),
      param('items', 'any'),
    ],
    'list',
    (args, env) => {
      const items = expectList(args[0], 'list.splice', 1, env.path);
      const start = index(args[1], 'list.splice', 2, env.path);
      const count = index(args[2], 'list.splice', 3, env.path);
      if (count < 0)
        throw new ScriptError('RangeError', 'list.splice: count must not be negative', env.path);
      return items.splice(start, count, ...args.slice(3));
    },
    true,
  ),
  list(
    'list.concat',
    'A new list joining the given lists.',
    [param('lists', 'list')],
    'list',
    (args, env) => {
      const lists = args.map((value, position) =>
        expectList(value, 'list.concat', position + 1, env.path),
      );
      return joinLists(lists, env);
    },
    true,
  ),
  list(
    'list.includes',
    'True when an item structurally equals the value.',
    [param('list', 'list'), param('value', 'any')],
    'boolean',
    (args, env) =>
      expectList(args[0], 'list.includes', 1, env.path).some((item) =>
        chargedEqual(item, args[1], env),
      ),
  ),
  list(
    'list.reverse',
    'A new list with the items in reverse order (the input is unchanged).',
    [param('list', 'list')],
    'list',
    (args, env) => expectList(args[0], 'list.reverse', 1, env.path).slice().reverse(),
  ),
  list(
    'list.sort',
    'A new sorted list (the input is unchanged); the comparator (a, b) returns a negative, zero or positive number.',
    [param('list', 'list'), optional('comparator', 'lambda')],
    'list',
    (args, env) => {
      const items = expectList(args[0], 'list.sort', 1, env.path);
      // As the reference: a sorted copy; the input list is never touched.
      const sorted = items.slice();
      if (args[1] === undefined || args[1] === null)
        sorted.sort((a, b) => compareDefault(a, b, env.path));
      else {
        const comparator = expectFunction(args[1], 'list.sort', 2, env.path);
        sorted.sort((left, right) => {
          const order = env.callSync(comparator, [left, right]);
          if (order instanceof Promise) {
            throw new ScriptError(
              'TypeError',
              'list.sort: the comparator must not await a capability',
              env.path,
            );
          }
          return expectNumber(order, 'list.sort comparator', 1, env.path);
        });
      }
      return sorted;
    },
  ),
  list(
    'list.find',
    'The first item for which the predicate (item, index) is truthy, else null.',
    [param('list', 'list'), param('predicate', 'lambda')],
    'any',
    (args, env) => {
      const items = expectList(args[0], 'list.find', 1, env.path);
      const predicate = expectFunction(args[1], 'list.find', 2, env.path);
      let found: unknown = null;
      const done = forEachMaybeAsync(
        items.length,
        (position) => env.call(predicate, [items[position], position]),
        (position, value) => {
          if (truthy(value)) {
            found = items[position];
            return false;
          }
          return true;
        },
      );
      return then(done, () => found);
    },
  ),
  list(
    'list.map',
    'A new list of fn(item, index) for each item.',
    [param('list', 'list'), param('fn', 'lambda')],
    'list',
    (args, env) => mapList(expectList(args[0], 'list.map', 1, env.path), args[1], 'list.map', env),
  ),
  list(
    'list.filter',
    'The items for which the predicate (item, index) is truthy.',
    [param('list', 'list'), param('predicate', 'lambda')],
    'list',
    (args, env) => {
      const items = expectList(args[0], 'list.filter', 1, env.path);
      return then(mapList(items, args[1], 'list.filter', env), (flags) =>
        items.filter((_, position) => truthy((flags as unknown[])[position])),
      );
    },
  ),
  list(
    'list.flatMap',
    'Maps each item to a list and joins the lists.',
    [param('list', 'list'), param('fn', 'lambda')],
    'list',
    (args, env) => {
      const items = expectList(args[0], 'list.flatMap', 1, env.path);
      return then(mapList(items, args[1], 'list.flatMap', env), (parts) =>
        joinLists(
          (parts as unknown[]).map((part) => (Array.isArray(part) ? part : [part])),
          env,
        ),
      );
    },
  ),
  list(
    'list.reduce',
    'Folds the list: fn(accumulator, item, index), starting from `initial`.',
    [param('list', 'list'), param('fn', 'lambda'), param('initial', 'any')],
    'any',
    (args, env) => {
      const items = expectList(args[0], 'list.reduce', 1, env.path);
      const reducer = expectFunction(args[1], 'list.reduce', 2, env.path);
      let accumulator = args[2];
      const done = forEachMaybeAsync(
        items.length,
        (position) => env.call(reducer, [accumulator, items[position], position]),
        (_, value) => {
          accumulator = value;
          return true;
        },
      );
      return then(done, () => accumulator);
    },
  ),
];
