import { describe, optional, param } from './native-opcode.ts';
import type { OpcodeMetadata } from './opcode.ts';

/**
 * Metadata of the forms the compiler implements itself (they control evaluation order, scope or
 * call frames). Param types with structural meaning for the checker:
 * - `name`: a literal variable name (string), never evaluated;
 * - `params`: a literal list of parameter names;
 * - `quoted`: data returned as is;
 * - `pair`: a literal `[key, valueExpression]` list;
 * - `block`: code evaluated (possibly repeatedly or not at all) by the form.
 */
export const specialFormMetadata: OpcodeMetadata[] = [
  describe(
    'std.seq',
    'control',
    'Evaluates each step in order and returns the last value. A `std.let` inside is scoped to the sequence.',
    [param('steps', 'block')],
    'any',
    { lazy: true, variadic: true, label: 'Do in order' },
  ),
  describe(
    'std.if',
    'control',
    'Evaluates `then` when the condition is truthy, otherwise `else` (null when absent).',
    [param('condition', 'boolean'), param('then', 'block'), optional('else', 'block')],
    'any',
    { lazy: true, label: 'If' },
  ),
  describe(
    'std.while',
    'control',
    'Repeats the body while the condition is truthy; returns null.',
    [param('condition', 'boolean'), param('body', 'block')],
    'null',
    { lazy: true, label: 'While' },
  ),
  describe(
    'std.for',
    'control',
    'Runs the body once per item of a list, binding the item to a variable; returns null.',
    [param('variable', 'name'), param('list', 'list'), param('body', 'block')],
    'null',
    { lazy: true, label: 'For each' },
  ),
  describe('std.break', 'control', 'Leaves the innermost loop.', [], 'null', {
    lazy: true,
    label: 'Break',
  }),
  describe(
    'std.continue',
    'control',
    'Skips to the next iteration of the innermost loop.',
    [],
    'null',
    { lazy: true, label: 'Continue' },
  ),
  describe(
    'std.return',
    'control',
    'Returns from the current lambda (or ends the script) with a value.',
    [optional('value', 'any', null)],
    'any',
    { lazy: true, label: 'Return' },
  ),
  describe(
    'std.let',
    'variables',
    'Declares a variable in the current scope and returns its value.',
    [param('name', 'name'), param('value', 'any')],
    'any',
    { lazy: true, label: 'Let' },
  ),
  describe('std.var', 'variables', "Reads a variable's value.", [param('name', 'name')], 'any', {
    lazy: true,
    label: 'Variable',
  }),
  describe(
    'std.set',
    'variables',
    'Assigns to an existing variable (the nearest enclosing one) and returns the value.',
    [param('name', 'name'), param('value', 'any')],
    'any',
    { lazy: true, label: 'Set' },
  ),
  describe(
    'std.lambda',
    'functions',
    'A function of the named parameters; the body sees the enclosing scope.',
    [param('params', 'params'), param('body', 'block')],
    'lambda',
    { lazy: true, label: 'Lambda' },
  ),
  describe(
    'std.apply',
    'functions',
    'Calls a function value with the given arguments.',
    [param('fn', 'lambda'), param('args', 'any')],
    'any',
    { variadic: true, label: 'Apply' },
  ),
  describe(
    'std.arg',
    'functions',
    'The argument at an index of the current call (null when absent).',
    [param('index', 'integer')],
    'any',
    { label: 'Argument' },
  ),
  describe('std.args', 'functions', 'All arguments of the current call as a list.', [], 'list', {
    label: 'Arguments',
  }),
  describe(
    'std.quote',
    'data',
    'Returns its argument unevaluated (a literal list or structure).',
    [param('value', 'quoted')],
    'any',
    { lazy: true, label: 'Quote' },
  ),
  describe(
    'std.try',
    'control',
    'Evaluates the body; on error binds what std.throw threw (or {code, message, path} for other errors) to the variable and evaluates the handler.',
    [param('body', 'block'), optional('variable', 'name'), optional('handler', 'block')],
    'any',
    { lazy: true, label: 'Try' },
  ),
  describe(
    'and',
    'logic',
    'True when every value is truthy (stops at the first falsy one).',
    [param('a', 'any'), param('b', 'any'), param('rest', 'any')],
    'boolean',
    { lazy: true, variadic: true, label: 'and' },
  ),
  describe(
    'or',
    'logic',
    'True when any value is truthy (stops at the first truthy one).',
    [param('a', 'any'), param('b', 'any'), param('rest', 'any')],
    'boolean',
    { lazy: true, variadic: true, label: 'or' },
  ),
  describe(
    'nullish',
    'logic',
    'The first value that is not null (stops early).',
    [param('a', 'any'), param('b', 'any'), param('rest', 'any')],
    'any',
    { lazy: true, variadic: true, label: 'nullish' },
  ),
  describe(
    'guard',
    'logic',
    'The first falsy value, or the last value (evaluates left to right and stops early).',
    [param('a', 'any'), param('b', 'any'), param('rest', 'any')],
    'any',
    { lazy: true, variadic: true, label: 'guard' },
  ),
  describe(
    'obj.new',
    'object',
    'An object from [key, value] pairs; values are evaluated.',
    [param('pairs', 'pair')],
    'object',
    { lazy: true, variadic: true, label: 'New object' },
  ),
];

/** Names of the special forms, for quick membership tests. */
export const specialFormNames = new Set(specialFormMetadata.map((metadata) => metadata.opcode));
