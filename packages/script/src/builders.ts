import { stdMetadata } from './std-library.ts';

/** Any script node: a call (array) or a literal. */
export type ScriptNode = unknown;
/** A call in JSON form. */
export type ScriptCall = [string, ...ScriptNode[]];
/** Builds a call of one opcode from its arguments. */
export type CallBuilder = (...args: ScriptNode[]) => ScriptCall;

function family(prefix: string): Record<string, CallBuilder> {
  const builders: Record<string, CallBuilder> = Object.create(null);
  for (const { opcode } of stdMetadata) {
    if (opcode.startsWith(prefix)) {
      builders[opcode.slice(prefix.length)] = (...args) => [opcode, ...args];
    }
  }
  return builders;
}

function named(names: Record<string, string>): Record<string, CallBuilder> {
  const builders: Record<string, CallBuilder> = Object.create(null);
  for (const [key, opcode] of Object.entries(names)) builders[key] = (...args) => [opcode, ...args];
  return builders;
}

/**
 * Typed helpers producing the JSON form, e.g. `StdLib.seq(StdLib.let('x', 1), MathLib.add(StdLib.var('x'), 2))`.
 * Keys are the opcode name after its family prefix.
 */
export const StdLib = family('std.');
/** `list.*` builders. */
export const ListLib = family('list.');
/** `obj.*` builders. */
export const ObjLib = family('obj.');
/** `str.*` builders. */
export const StrLib = family('str.');
/** `json.*` builders. */
export const JsonLib = family('json.');
/** `math.*` plus arithmetic (`add sub mul div mod pow`). */
export const MathLib: Record<string, CallBuilder> = {
  ...family('math.'),
  ...named({ add: '+', sub: '-', mul: '*', div: '/', mod: '%', pow: '^' }),
};
/** Comparisons and logic (`eq neq lt gt le ge and or not nullish guard`). */
export const BoolLib = named({
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
