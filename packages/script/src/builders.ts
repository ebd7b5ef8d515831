import { stdMetadata } from './std-library.ts';

/** Any script node: a call (array) or a literal. */
export type ScriptNode = unknown;
/** A call in JSON form. */
export type ScriptCall = [string, ...ScriptNode[]];
/** Builds a call of one opcode from its arguments. */
export type CallBuilder = (...args: ScriptNode[]) => ScriptCall;
/** A family of builders with exactly the named keys (no index signature: typos fail to compile). */
export type BuilderFamily<Key extends string> = { readonly [Name in Key]: CallBuilder };

const knownOpcodes = new Set(stdMetadata.map((metadata) => metadata.opcode));

/**
 * Builders keyed by name for the given opcodes. Every opcode must exist in the standard library:
 * a renamed opcode fails at import time instead of producing scripts that no longer check.
 */
function builders<const Key extends string>(opcodes: Record<Key, string>): BuilderFamily<Key> {
  const family = Object.create(null) as Record<Key, CallBuilder>;
  for (const key of Object.keys(opcodes) as Key[]) {
    const opcode = opcodes[key];
    if (!knownOpcodes.has(opcode)) throw new Error(`builders: unknown opcode '${opcode}'`);
    family[key] = (...args) => [opcode, ...args];
  }
  return Object.freeze(family);
}

/** Builders whose keys are the opcode names after the family prefix (`list.map` → `map`). */
function prefixed<const Name extends string>(
  prefix: string,
  names: readonly Name[],
): BuilderFamily<Name> {
  const opcodes = Object.create(null) as Record<Name, string>;
  for (const name of names) opcodes[name] = `${prefix}${name}`;
  return builders(opcodes);
}

/**
 * `std.*` builders, e.g. `StdLib.seq(StdLib.let('x', 1), MathLib.add(StdLib.var('x'), 2))`.
 * Lazy forms take their unevaluated parts as plain values: `StdLib.lambda(['x'], body)`.
 */
export const StdLib = prefixed('std.', [
  'seq',
  'if',
  'while',
  'for',
  'break',
  'continue',
  'return',
  'let',
  'var',
  'set',
  'lambda',
  'apply',
  'arg',
  'args',
  'quote',
  'try',
  'typeof',
  'int',
  'float',
  'number',
  'string',
  'boolean',
  'log',
  'warn',
  'throw',
]);
/** `list.*` builders. */
export const ListLib = prefixed('list.', [
  'new',
  'len',
  'empty',
  'get',
  'set',
  'push',
  'pop',
  'unshift',
  'shift',
  'slice',
  'splice',
  'concat',
  'includes',
  'reverse',
  'sort',
  'find',
  'map',
  'filter',
  'flatMap',
  'reduce',
]);
/** `obj.*` builders; `ObjLib.new(['a', 1], ['b', 2])` takes literal `[key, value]` pairs. */
export const ObjLib = prefixed('obj.', [
  'new',
  'keys',
  'values',
  'entries',
  'get',
  'set',
  'has',
  'del',
  'merge',
  'map',
  'filter',
  'flatMap',
  'reduce',
]);
/** `str.*` builders. */
export const StrLib = prefixed('str.', [
  'len',
  'concat',
  'split',
  'slice',
  'upper',
  'lower',
  'trim',
  'replace',
  'includes',
  'join',
]);
/** `json.*` builders. */
export const JsonLib = prefixed('json.', ['stringify', 'parse']);
/** `math.*` plus arithmetic under names (`add sub mul div mod pow`). */
export const MathLib = Object.freeze({
  ...prefixed('math.', [
    'floor',
    'ceil',
    'trunc',
    'round',
    'sin',
    'cos',
    'tan',
    'asin',
    'acos',
    'atan',
    'atan2',
    'log',
    'log2',
    'log10',
    'exp',
    'sqrt',
    'abs',
    'sign',
    'min',
    'max',
    'clamp',
  ]),
  ...builders({ add: '+', sub: '-', mul: '*', div: '/', mod: '%', pow: '^' }),
});
/** Comparisons and logic under names (`eq neq lt gt le ge and or not nullish guard`). */
export const BoolLib = builders({
  eq: '==',
  neq: '!=',
  lt: '<',
  gt: '>',
  le: '<=',
  ge: '>=',
  and: 'and',
  or: 'or',
  not: 'not',
  nullish: 'nullish',
  guard: 'guard',
});

/** Builds a call to any opcode (kernel, canvas, plugins) by name. */
export function call(opcode: string, ...args: ScriptNode[]): ScriptCall {
  return [opcode, ...args];
}
