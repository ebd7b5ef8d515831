import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import {
  arityOf,
  check,
  evaluate,
  opcodeMetadata,
  ScriptError,
  stdMetadata,
} from '../src/index.ts';

describe('checker', () => {
  test('reports every problem at once with paths and fix hints', () => {
    const { errors } = check([
      'std.seq',
      [1, 2],
      ['std.iff', true, 1],
      ['list.get', 1],
      [],
      ['std.let', 5, 1],
    ]);
    // Exactly these, in document order.
    expect(errors.map((problem) => [problem.code, problem.path])).toEqual([
      ['InvalidScript', [1]],
      ['UnknownOpcode', [2]],
      ['ArityError', [3]],
      ['InvalidScript', [4]],
      ['InvalidScript', [5, 1]],
    ]);
    const byPath = new Map(
      errors.map((problem) => [JSON.stringify(problem.path), problem.message]),
    );
    expect(byPath.get('[1]')).toContain('["list.new", ...items]');
    expect(byPath.get('[2]')).toContain("did you mean 'std.if'");
    expect(byPath.get('[3]')).toContain('list.get takes exactly 2');
  });
  test('lazy forms treat names, parameter lists, quoted data and pairs as data', () => {
    expect(
      check([
        'std.seq',
        ['std.lambda', ['x', 'y'], ['std.var', 'x']],
        ['std.quote', [[1, 2], []]],
        ['obj.new', ['a', ['+', 1, 2]]],
      ]).errors,
    ).toEqual([]);
    expect(check(['obj.new', ['a', ['nope']]]).errors[0]!.path).toEqual([1, 1]);
    expect(check(['std.lambda', ['x', 'x'], 1]).errors[0]!.message).toContain('distinct');
    // No far-fetched suggestions: a one-letter name shares nothing with any opcode.
    expect(check(['a', 1]).errors[0]!.message).not.toContain('did you mean');
  });
  test('evaluate refuses invalid scripts with InvalidScript and the full list', async () => {
    try {
      await evaluate(['std.seq', ['nope'], ['+']]);
      throw new Error('expected failure');
    } catch (error) {
      expect(error).toBeInstanceOf(ScriptError);
      expect((error as ScriptError).code).toBe('InvalidScript');
      expect((error as ScriptError).errors).toHaveLength(2);
    }
  });
});

describe('metadata', () => {
  const required = [
    'std.seq',
    'std.if',
    'std.while',
    'std.for',
    'std.break',
    'std.continue',
    'std.return',
    'std.let',
    'std.var',
    'std.set',
    'std.int',
    'std.float',
    'std.string',
    'std.boolean',
    'std.number',
    'std.log',
    'std.warn',
    'std.throw',
    'std.try',
    'std.lambda',
    'std.apply',
    'std.quote',
    'std.typeof',
    'std.arg',
    'std.args',
    'json.stringify',
    'json.parse',
    'list.new',
    'list.len',
    'list.empty',
    'list.get',
    'list.set',
    'list.push',
    'list.pop',
    'list.unshift',
    'list.shift',
    'list.slice',
    'list.splice',
    'list.concat',
    'list.includes',
    'list.reverse',
    'list.sort',
    'list.find',
    'list.map',
    'list.filter',
    'list.flatMap',
    'list.reduce',
    'obj.new',
    'obj.keys',
    'obj.values',
    'obj.entries',
    'obj.get',
    'obj.set',
    'obj.has',
    'obj.del',
    'obj.merge',
    'obj.map',
    'obj.filter',
    'obj.flatMap',
    'obj.reduce',
    'str.len',
    'str.concat',
    'str.split',
    'str.slice',
    'str.upper',
    'str.lower',
    'str.trim',
    'str.replace',
    'str.includes',
    'str.join',
    '+',
    '-',
    '*',
    '/',
    '%',
    '^',
    'math.floor',
    'math.ceil',
    'math.trunc',
    'math.round',
    'math.sin',
    'math.cos',
    'math.tan',
    'math.asin',
    'math.acos',
    'math.atan',
    'math.atan2',
    'math.log',
    'math.log2',
    'math.log10',
    'math.exp',
    'math.sqrt',
    'math.abs',
    'math.sign',
    'math.min',
    'math.max',
    'math.clamp',
    '==',
    '!=',
    '<',
    '>',
    '<=',
    '>=',
    'and',
    'or',
    'nullish',
    'guard',
    'not',
  ];

  test('every required opcode has complete metadata', () => {
    const names = new Set(opcodeMetadata().map((metadata) => metadata.opcode));
    for (const name of required) expect(names.has(name)).toBe(true);
    for (const metadata of stdMetadata) {
      expect(metadata.label.length).toBeGreaterThan(0);
      expect(metadata.category.length).toBeGreaterThan(0);
      expect(metadata.description.length).toBeGreaterThan(5);
      expect(typeof metadata.returns).toBe('string');
      for (const param of metadata.params) expect(typeof param.type).toBe('string');
    }
  });

  test('arity in metadata matches what the interpreter accepts', async () => {
    const sample = (type: string): unknown => {
      switch (type) {
        case 'name':
          return 'v';
        case 'params':
          return [];
        case 'pair':
          return ['k', 1];
        case 'list':
          return ['list.new', 1, 2];
        case 'object':
          return { a: 1 };
        case 'string':
          return 'a';
        case 'lambda':
          return ['std.lambda', ['a', 'b', 'c'], 1];
        default:
          return 1;
      }
    };
    for (const metadata of stdMetadata) {
      const { min, max } = arityOf(metadata);
      const args = (count: number) =>
        Array.from({ length: count }, (_, index) =>
          sample(metadata.params[Math.min(index, metadata.params.length - 1)]?.type ?? 'any'),
        );
      const attempt = async (count: number) => {
        try {
          await evaluate(['std.seq', ['std.let', 'v', 1], [metadata.opcode, ...args(count)]], {
            gas: 10_000,
          });
          return 'ok';
        } catch (error) {
          return (error as ScriptError).code;
        }
      };
      if (min > 0) expect(await attempt(min - 1)).toBe('InvalidScript');
      if (max !== Number.POSITIVE_INFINITY) expect(await attempt(max + 1)).toBe('InvalidScript');
      expect([
        'ok',
        'TypeError',
        'RangeError',
        'Thrown',
        'UnknownVariable',
        'InvalidScript',
        'OutOfGas',
      ]).toContain(await attempt(min));
      // The only InvalidScript allowed at a valid arity is a stray break/continue outside a loop.
      if ((await attempt(min)) === 'InvalidScript')
        expect(['std.break', 'std.continue']).toContain(metadata.opcode);
    }
  });
});

describe('fuzz', () => {
  test('random JSON never makes check or evaluate throw anything but ScriptError', async () => {
    const opcodeNames = fc.constantFrom(...stdMetadata.map((metadata) => metadata.opcode));
    const { node } = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 2 }), tie('call')),
      call: fc
        .tuple(opcodeNames, fc.array(tie('node'), { maxLength: 4 }))
        .map(([head, rest]) => [head, ...rest]),
    }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(node, fc.jsonValue()), async (script) => {
        check(script);
        try {
          await evaluate(script, { gas: 20_000, timeoutMs: 200 });
        } catch (error) {
          if (!(error instanceof ScriptError)) throw error;
          expect(JSON.stringify(error.toJSON())).not.toMatch(/\n\s+at /);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
