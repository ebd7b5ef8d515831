import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { decompile, parseText, printText, ScriptError } from '../src/index.ts';

/** Scripts as the generator of calls, literals and object literals produces them. */
/** Strings heavy in characters that need escapes or look like syntax. */
const trickyString = fc.string({
  unit: fc.constantFrom(
    '\\',
    '"',
    '\n',
    '\t',
    '\r',
    '\u0001',
    '\u2028',
    'é',
    '😀',
    ' ',
    ';',
    '(',
    ')',
    '{',
    'a',
  ),
  maxLength: 8,
});
const jsonLiteral = fc.oneof(
  fc.string(),
  trickyString,
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !Object.is(value, -0)),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const objectLiteral = fc.dictionary(
  fc.string(),
  fc.oneof(jsonLiteral, fc.array(jsonLiteral, { maxLength: 3 })),
  { maxKeys: 3 },
);
const { script } = fc.letrec((tie) => ({
  script: fc.oneof({ depthSize: 'small' }, jsonLiteral, objectLiteral, tie('call')),
  call: fc
    .tuple(
      fc.oneof(
        fc.constantFrom('std.seq', '+', 'list.map', 'a b', '(', '"q"', '1', 'true', ''),
        fc.string(),
      ),
      fc.array(tie('script'), { maxLength: 4 }),
    )
    .map(([head, rest]) => [head, ...rest]),
}));

describe('text form', () => {
  test('parses the documented example', () => {
    expect(parseText('(std.seq (std.let "x" 1) (+ (std.var "x") 2))')).toEqual([
      'std.seq',
      ['std.let', 'x', 1],
      ['+', ['std.var', 'x'], 2],
    ]);
  });
  test('bare symbols, keywords, numbers, object literals and comments', () => {
    expect(
      parseText('(a b -1.5e3 true false null {"model": "esrgan-slim", "factor": 4}) ; comment'),
    ).toEqual(['a', 'b', -1500, true, false, null, { model: 'esrgan-slim', factor: 4 }]);
    expect(parseText('(std.quote ((20 20) (60 60)))')).toEqual([
      'std.quote',
      [
        [20, 20],
        [60, 60],
      ],
    ]);
  });
  test('parse errors give line and column', () => {
    try {
      parseText('(std.seq\n  (+ 1 2)\n  "unterminated)');
      throw new Error('expected a parse error');
    } catch (error) {
      expect(error).toBeInstanceOf(ScriptError);
      const parseError = error as ScriptError;
      expect(parseError.code).toBe('ParseError');
      expect(parseError.line).toBe(3);
      expect(parseError.column).toBe(3);
    }
    expect(() => parseText('(a))')).toThrow(/unexpected '\)' at line 1, column 4/);
    expect(() => parseText('(a (b)')).toThrow(/missing '\)'/);
    expect(() => parseText('[1, 2]')).toThrow(/write lists as/);
    expect(() => parseText('')).toThrow(/empty script/);
  });
  test('parse(print(s)) equals s for generated scripts', () => {
    fc.assert(
      fc.property(script, (value) => {
        expect(parseText(printText(value))).toEqual(value);
      }),
      { numRuns: 500 },
    );
  });
  test('print(parse(t)) is stable for printed text', () => {
    fc.assert(
      fc.property(script, (value) => {
        const printed = printText(value);
        expect(printText(parseText(printed))).toBe(printed);
      }),
      { numRuns: 200 },
    );
  });
  test('decompile is readable and parses back', () => {
    const long = [
      'std.seq',
      ...Array.from({ length: 6 }, (_, index) => [
        'std.let',
        `variable_${index}`,
        ['+', index, 100],
      ]),
    ];
    const text = decompile(long);
    expect(text.split('\n').length).toBeGreaterThan(3);
    expect(parseText(text)).toEqual(long);
  });
  test('decompile(s) parses back to s for generated scripts', () => {
    fc.assert(
      fc.property(script, fc.integer({ min: 10, max: 100 }), (value, width) => {
        expect(parseText(decompile(value, width))).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });
  test('decompile of a very deep script is linear and round-trips', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 20_000; level++) deep = ['+', deep, 'some text to make it wide'];
    const text = decompile(deep);
    expect(text.length).toBeLessThan(printText(deep).length * 2);
    // Compared through the (iterative) printer: a deep toEqual would overflow the test's stack.
    expect(printText(parseText(text))).toBe(printText(deep));
  });
  test('deep nesting parses and prints without a host stack overflow', () => {
    const depth = 20_000;
    const text = `${'(a '.repeat(depth)}1${')'.repeat(depth)}`;
    const parsed = parseText(text);
    expect(printText(parsed).length).toBe(text.length);
  });
});
