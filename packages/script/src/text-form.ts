import { ScriptError } from './script-error.ts';

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const SYMBOL = /^[^\s()"{}[\];]+$/;
const DELIMITER = /[\s()"{}[\];]/;

/**
 * Parses the S-expression text form into the JSON form.
 *
 * `(a b c)` is the array `["a", "b", "c"]`; bare symbols are strings; strings use JSON escapes;
 * `true false null` and JSON numbers are literals; `{...}` is an inline JSON object literal;
 * `;` starts a comment. Iterative, so nesting depth cannot overflow the host stack.
 * @throws ScriptError `ParseError` with 1-based `line` and `column`.
 */
export function parseText(text: string): unknown {
  const stack: unknown[][] = [];
  const openedAt: number[] = [];
  let result: unknown;
  let haveResult = false;
  let position = 0;

  const fail = (message: string, at: number): never => {
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new ScriptError('ParseError', `${message} at line ${line}, column ${column}`, [], {
      line,
      column,
    });
  };
  const emit = (value: unknown, at: number) => {
    if (stack.length > 0) stack[stack.length - 1]!.push(value);
    else if (haveResult) fail('unexpected content after the script', at);
    else {
      result = value;
      haveResult = true;
    }
  };

  while (position < text.length) {
    const char = text[position]!;
    if (/\s/.test(char)) {
      position++;
    } else if (char === ';') {
      while (position < text.length && text[position] !== '\n') position++;
    } else if (char === '(') {
      if (stack.length === 0 && haveResult) fail('unexpected content after the script', position);
      stack.push([]);
      openedAt.push(position);
      position++;
    } else if (char === ')') {
      const done = stack.pop();
      openedAt.pop();
      if (!done) fail("unexpected ')'", position);
      position++;
      emit(done, position - 1);
    } else if (char === '"') {
      const end = scanString(text, position);
      if (end < 0) fail('unterminated string', position);
      try {
        emit(JSON.parse(text.slice(position, end + 1)), position);
      } catch {
        fail('invalid string escape', position);
      }
      position = end + 1;
    } else if (char === '{') {
      const end = scanObject(text, position);
      if (end < 0) fail("unterminated object literal (missing '}')", position);
      try {
        emit(JSON.parse(text.slice(position, end + 1)), position);
      } catch (error) {
        fail(`invalid object literal (${(error as Error).message})`, position);
      }
      position = end + 1;
    } else if (char === '[' || char === ']' || char === '}') {
      fail(`unexpected '${char}' (write lists as ( ... ) and objects as {"key": value})`, position);
    } else {
      let end = position;
      while (end < text.length && !DELIMITER.test(text[end]!)) end++;
      const token = text.slice(position, end);
      emit(atom(token), position);
      position = end;
    }
  }
  if (stack.length > 0)
    fail("missing ')' for the list opened here", openedAt[openedAt.length - 1]!);
  if (!haveResult) fail('empty script', text.length);
  return result;
}

function atom(token: string): unknown {
  if (token === 'true') return true;
  if (token === 'false') return false;
  if (token === 'null') return null;
  if (NUMBER.test(token)) return token === '-0' ? -0 : Number(token);
  return token;
}

/** Index of the closing quote of the string starting at `start`, or -1. */
function scanString(text: string, start: number): number {
  for (let index = start + 1; index < text.length; index++) {
    const char = text[index];
    if (char === '\\') index++;
    else if (char === '"') return index;
    else if (char === '\n') return -1;
  }
  return -1;
}

/** Index of the brace closing the JSON object at `start` (strings respected), or -1. */
function scanObject(text: string, start: number): number {
  let depth = 0;
  for (let index = start; index < text.length; index++) {
    const char = text[index];
    if (char === '"') {
      index = scanString(text, index);
      if (index < 0) return -1;
    } else if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') {
      depth--;
      if (depth === 0) return char === '}' ? index : -1;
    }
  }
  return -1;
}

function printAtom(value: unknown, head: boolean): string {
  if (typeof value === 'string') {
    return head &&
      SYMBOL.test(value) &&
      !NUMBER.test(value) &&
      !['true', 'false', 'null'].includes(value)
      ? value
      : JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new ScriptError('InvalidScript', 'numbers must be finite', []);
    return Object.is(value, -0) ? '-0' : JSON.stringify(value);
  }
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Prints the JSON form as one line of text form; `parseText(printText(s))` equals `s`.
 * Opcode names (heads) print as bare symbols, other strings quoted.
 */
export function printText(script: unknown): string {
  if (!Array.isArray(script)) return printAtom(script, false);
  // Iterative printer: a work list of tokens keeps deep scripts off the host stack.
  let out = '';
  const put = (token: string) => {
    if (out !== '' && token !== ')' && !out.endsWith('(')) out += ' ';
    out += token;
  };
  const work: (unknown[] | { close: true } | { atom: unknown; head: boolean })[] = [script];
  while (work.length > 0) {
    const item = work.pop()!;
    if (Array.isArray(item)) {
      put('(');
      work.push({ close: true });
      for (let index = item.length - 1; index >= 0; index--) {
        const child = item[index];
        work.push(Array.isArray(child) ? child : { atom: child, head: index === 0 });
      }
    } else if ('close' in item) put(')');
    else put(printAtom(item.atom, item.head));
  }
  return out;
}

/** Length of each array's one-line text form, computed bottom-up without recursion. */
function flatLengths(script: unknown): Map<unknown[], number> {
  const lengths = new Map<unknown[], number>();
  if (!Array.isArray(script)) return lengths;
  // Post-order walk: an array is measured once all its array children are.
  const work: [unknown[], boolean][] = [[script, false]];
  while (work.length > 0) {
    const [node, childrenDone] = work.pop()!;
    if (lengths.has(node)) continue;
    if (!childrenDone) {
      work.push([node, true]);
      for (const child of node) if (Array.isArray(child)) work.push([child, false]);
      continue;
    }
    let length = 1 + Math.max(node.length - 1, 0) + 1;
    node.forEach((child, index) => {
      length += Array.isArray(child) ? lengths.get(child)! : printAtom(child, index === 0).length;
    });
    lengths.set(node, length);
  }
  return lengths;
}

/**
 * Readable multi-line text form: calls that fit in `width` stay on one line, longer ones put each
 * argument on its own indented line. Parses back to the same script (`parseText`). Iterative and
 * linear in the script's size: below `width / 2` levels of indentation the rest prints flat, so
 * very deep scripts cannot blow up the output quadratically.
 */
export function decompile(script: unknown, width = 80): string {
  const lengths = flatLengths(script);
  const parts: string[] = [];
  const work: ({ node: unknown; indent: string; head: boolean } | string)[] = [
    { node: script, indent: '', head: false },
  ];
  while (work.length > 0) {
    const item = work.pop()!;
    if (typeof item === 'string') {
      parts.push(item);
      continue;
    }
    const { node, indent } = item;
    if (!Array.isArray(node)) {
      parts.push(printAtom(node, item.head));
      continue;
    }
    const flat = indent.length + lengths.get(node)! <= width || indent.length * 2 >= width;
    if (node.length === 0 || flat) {
      parts.push(printText(node));
      continue;
    }
    const inner = `${indent}  `;
    // Pushed in reverse so the head comes out first, then each argument on its own line.
    work.push(')');
    for (let index = node.length - 1; index >= 1; index--) {
      work.push({ node: node[index], indent: inner, head: false });
      work.push(`\n${inner}`);
    }
    work.push({ node: node[0], indent: inner, head: true });
    parts.push('(');
  }
  return parts.join('');
}
