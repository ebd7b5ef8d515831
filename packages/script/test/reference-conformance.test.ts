import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { check, evaluate, parseText, ScriptError } from '../src/index.ts';

/** Runs a text-form script and returns its value. */
async function text(source: string, gas?: number): Promise<unknown> {
  return (await evaluate(parseText(source), gas === undefined ? {} : { gas })).value;
}

/** Runs a script expected to fail and returns the ScriptError. */
async function fails(source: string | unknown[], gas?: number): Promise<ScriptError> {
  const script = typeof source === 'string' ? parseText(source) : source;
  try {
    await evaluate(script, gas === undefined ? {} : { gas });
  } catch (error) {
    if (error instanceof ScriptError) return error;
    throw error;
  }
  throw new Error('expected the script to fail');
}

describe('matches the reference (pterror/viwo) where our old deviation was not a fix', () => {
  test('obj.new takes computed keys; a key that is not a string is an error at its path', async () => {
    expect(
      await text('(std.seq (std.let "k" "size") (obj.new ((std.var "k") 4) ("fixed" 1)))'),
    ).toEqual({ size: 4, fixed: 1 });
    expect(await text('(obj.new ((str.concat "a" "b") (+ 1 2)))')).toEqual({ ab: 3 });
    const error = await fails(['obj.new', [['+', 1, 2], 'x']]);
    expect(error.code).toBe('TypeError');
    expect(error.path).toEqual([1, 0]);
    // The checker walks computed keys like any other code.
    const problems = check(['obj.new', [['nope.opcode'], 1]]).errors;
    expect(problems.map((problem) => problem.path)).toEqual([[1, 0]]);
    // A literal that is neither a string nor a call cannot be a key.
    expect(check(['obj.new', [3, 1]]).errors[0]?.code).toBe('InvalidScript');
  });

  test('__proto__ stays a plain key in computed keys too', async () => {
    const value = (await text('(obj.new ((str.concat "__pro" "to__") 1))')) as object;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('obj.set returns the object, so list.reduce with obj.set accumulates', async () => {
    expect(
      await text(
        '(list.reduce (list.new "a" "b") (std.lambda ("acc" "k") (obj.set (std.var "acc") (std.var "k") true)) (obj.new))',
      ),
    ).toEqual({ a: true, b: true });
  });

  test('std.int parses a leading integer in a radix', async () => {
    expect(await text('(std.int "12px")')).toBe(12);
    expect(await text('(std.int "ff" 16)')).toBe(255);
    expect(await text('(std.int "101" 2)')).toBe(5);
    expect(await text('(std.int -3.7)')).toBe(-3);
    expect(await text('(std.int " 42 ")')).toBe(42);
    expect((await fails('(std.int "px")')).code).toBe('TypeError');
    expect((await fails('(std.int "1" 37)')).code).toBe('RangeError');
  });

  test('std.float parses a leading float; std.number converts like the reference', async () => {
    expect(await text('(std.float "2.5kg")')).toBe(2.5);
    expect(await text('(std.float "-.5e1x")')).toBe(-5);
    expect(await text('(std.number "")')).toBe(0);
    expect(await text('(std.number " 12 ")')).toBe(12);
    expect(await text('(std.number true)')).toBe(1);
    expect(await text('(std.number null)')).toBe(0);
    expect(await text('(std.number "0x10")')).toBe(16);
    // Where no number results, the finite-number policy holds: a clear error.
    expect((await fails('(std.number "12px")')).code).toBe('TypeError');
    expect((await fails('(std.number (list.new 1))')).code).toBe('TypeError');
    expect((await fails('(std.float "abc")')).code).toBe('TypeError');
  });

  test('property: and/or always answer booleans equal to JS truthiness', async () => {
    const scalar = fc.oneof(
      fc.integer({ min: -3, max: 3 }),
      fc.constantFrom('', 'x', null, true, false),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(scalar, { minLength: 2, maxLength: 5 }), async (values) => {
        const and = (await evaluate(['and', ...values])).value;
        const or = (await evaluate(['or', ...values])).value;
        expect(and).toBe(values.every(Boolean));
        expect(or).toBe(values.some(Boolean));
        const guard = (await evaluate(['guard', ...values])).value;
        const firstFalsy = values.find((value) => !value);
        expect(guard).toBe(
          values.length === 0 ? null : firstFalsy !== undefined ? firstFalsy : values.at(-1),
        );
      }),
      { numRuns: 200 },
    );
  });

  test('property: list.sort and list.reverse never change their input', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer(), { maxLength: 20 }), async (items) => {
        const script = [
          'std.seq',
          ['std.let', 'l', ['std.quote', items]],
          ['list.sort', ['std.var', 'l']],
          ['list.reverse', ['std.var', 'l']],
          ['std.var', 'l'],
        ];
        expect((await evaluate(script)).value).toEqual(items);
      }),
      { numRuns: 100 },
    );
  });
});

describe('work sized by data is charged before it is done', () => {
  /** A list of `n` numbers built in few gas (list.concat doubling). */
  const bigList = (doublings: number) =>
    `(std.seq (std.let "l" (list.new 1)) (std.for "i" (list.new ${Array.from({ length: doublings }, (_, i) => i).join(' ')}) (std.set "l" (list.concat (std.var "l") (std.var "l")))) (std.var "l"))`;

  test('list.flatMap of a list over itself ends in OutOfGas before allocating', async () => {
    // 2^14 = 16k items flat-mapped over itself would be 268M items; gas stops it first.
    const source = `(std.seq (std.let "l" ${bigList(14)}) (list.flatMap (std.var "l") (std.lambda ("x") (std.var "l"))))`;
    const error = await fails(source, 5_000_000);
    expect(error.code).toBe('OutOfGas');
  });

  test('list.concat of more than a million items works (no misleading nesting error)', async () => {
    const value = (await text(
      `(list.len (list.concat ${bigList(21)} ${bigList(0)}))`,
      10_000_000,
    )) as number;
    expect(value).toBe(2 ** 21 + 1);
  });

  /** A value whose tree has 2^depth leaves but only `depth` distinct lists. */
  const shared = (depth: number) =>
    `(std.seq (std.let "x" (list.new 1)) (std.for "i" (list.new ${Array.from({ length: depth }, (_, i) => i).join(' ')}) (std.set "x" (list.new (std.var "x") (std.var "x")))) (std.var "x"))`;

  test('== over shared structure is bounded and charged', async () => {
    // Two separately built copies share nothing with each other, so == must walk 2^28 parts.
    const walk = await fails(
      `(std.seq (std.let "a" ${shared(28)}) (std.let "b" ${shared(28)}) (== (std.var "a") (std.var "b")))`,
    );
    expect(walk.code).toBe('RangeError');
    expect(walk.message).toContain('1000000 parts');
    // Below the bound, comparing is charged one gas per part: 2^16 parts exceed 50k gas.
    const charged = await fails(
      `(std.seq (std.let "a" ${shared(16)}) (std.let "b" ${shared(16)}) (== (std.var "a") (std.var "b")))`,
      50_000,
    );
    expect(charged.code).toBe('OutOfGas');
  });

  test('serialising a shared-structure result is refused, not exponential', async () => {
    const error = await fails(shared(28));
    expect(error.code).toBe('OutputLimit');
    const printed = await fails(`(std.string ${shared(28)})`);
    expect(printed.code).toBe('OutputLimit');
    expect(printed.path).toEqual([]);
    const logged = await fails(`(std.log ${shared(28)})`);
    expect(logged.code).toBe('OutputLimit');
  });

  test('small shared structure still prints and compares', async () => {
    expect(await text(`(json.stringify ${shared(3)})`)).toBe(
      '[[[[1],[1]],[[1],[1]]],[[[1],[1]],[[1],[1]]]]',
    );
    expect(await text(`(== ${shared(4)} ${shared(4)})`)).toBe(true);
  });
});
