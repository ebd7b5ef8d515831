import { type NativeOpcode, opcodeFamily, optional, param } from './native-opcode.ts';
import { displayString, expectList, expectNumber, expectString } from './values.ts';

const text = opcodeFamily('string');

/** The `str.*` family. Strings are immutable; every opcode returns a new value. */
export const stringOpcodes: NativeOpcode[] = [
  text(
    'str.len',
    'Length in UTF-16 code units.',
    [param('text', 'string')],
    'number',
    (args, env) => expectString(args[0], 'str.len', 1, env.path).length,
  ),
  text(
    'str.concat',
    'Joins values as text (structures as JSON).',
    [param('parts', 'any')],
    'string',
    (args, env) => args.map((value) => displayString(value, env.path)).join(''),
    true,
  ),
  text(
    'str.split',
    'Splits text at each separator.',
    [param('text', 'string'), param('separator', 'string')],
    'list',
    (args, env) =>
      expectString(args[0], 'str.split', 1, env.path).split(
        expectString(args[1], 'str.split', 2, env.path),
      ),
  ),
  text(
    'str.slice',
    'Part of the text (negative indices count from the end).',
    [param('text', 'string'), optional('start', 'integer', 0), optional('end', 'integer')],
    'string',
    (args, env) => {
      const value = expectString(args[0], 'str.slice', 1, env.path);
      const start = args[1] === undefined ? 0 : expectNumber(args[1], 'str.slice', 2, env.path);
      const end =
        args[2] === undefined ? value.length : expectNumber(args[2], 'str.slice', 3, env.path);
      return value.slice(start, end);
    },
  ),
  text('str.upper', 'Upper-case copy.', [param('text', 'string')], 'string', (args, env) =>
    expectString(args[0], 'str.upper', 1, env.path).toUpperCase(),
  ),
  text('str.lower', 'Lower-case copy.', [param('text', 'string')], 'string', (args, env) =>
    expectString(args[0], 'str.lower', 1, env.path).toLowerCase(),
  ),
  text(
    'str.trim',
    'Copy without leading and trailing white space.',
    [param('text', 'string')],
    'string',
    (args, env) => expectString(args[0], 'str.trim', 1, env.path).trim(),
  ),
  text(
    'str.replace',
    'Replaces the first occurrence of `search` (plain text, not a pattern), as the reference does.',
    [param('text', 'string'), param('search', 'string'), param('replacement', 'string')],
    'string',
    (args, env) => {
      const source = expectString(args[0], 'str.replace', 1, env.path);
      const search = expectString(args[1], 'str.replace', 2, env.path);
      const replacement = expectString(args[2], 'str.replace', 3, env.path);
      // indexOf + slices, not String.replace: `$&`-style patterns in the replacement stay literal.
      const at = source.indexOf(search);
      if (at < 0) return source;
      return source.slice(0, at) + replacement + source.slice(at + search.length);
    },
  ),
  text(
    'str.includes',
    'True when the text contains `search`.',
    [param('text', 'string'), param('search', 'string')],
    'boolean',
    (args, env) =>
      expectString(args[0], 'str.includes', 1, env.path).includes(
        expectString(args[1], 'str.includes', 2, env.path),
      ),
  ),
  text(
    'str.join',
    'Joins a list of values with a separator.',
    [param('list', 'list'), optional('separator', 'string', '')],
    'string',
    (args, env) => {
      const items = expectList(args[0], 'str.join', 1, env.path);
      const separator = args[1] === undefined ? '' : expectString(args[1], 'str.join', 2, env.path);
      return items.map((value) => displayString(value, env.path)).join(separator);
    },
  ),
];
