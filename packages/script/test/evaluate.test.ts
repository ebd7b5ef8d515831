import { describe, expect, test } from 'bun:test';
import { evaluate, type OpcodeDefinition, parseText, ScriptError } from '../src/index.ts';

const run = async (script: unknown, options = {}) => (await evaluate(script, options)).value;
const fails = async (script: unknown, options = {}): Promise<ScriptError> => {
  try {
    await evaluate(script, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ScriptError);
    return error as ScriptError;
  }
  throw new Error('expected the script to fail');
};
const text = (source: string, options = {}) => run(parseText(source), options);

const sleepOpcode: OpcodeDefinition = {
  metadata: {
    opcode: 'test.sleep',
    label: 'Sleep',
    category: 'test',
    description: 'Waits, then returns the value.',
    params: [
      { name: 'ms', type: 'number' },
      { name: 'value', type: 'any' },
    ],
    returns: 'any',
  },
  async eval(args) {
    await Bun.sleep(args[0] as number);
    return args[1];
  },
};

describe('std control and variables', () => {
  test('seq, let, var, set', async () => {
    expect(
      await text('(std.seq (std.let "x" 1) (std.set "x" (+ (std.var "x") 2)) (std.var "x"))'),
    ).toBe(3);
  });
  test('let inside a seq is scoped to it', async () => {
    const error = await fails(
      parseText('(std.seq (std.seq (std.let "inner" 1)) (std.var "inner"))'),
    );
    expect(error.code).toBe('UnknownVariable');
    expect(error.path).toEqual([2]);
  });
  test('if with and without else', async () => {
    expect(await text('(std.if (< 1 2) "yes" "no")')).toBe('yes');
    expect(await text('(std.if false "yes")')).toBe(null);
  });
  test('while with break and continue', async () => {
    const script = parseText(`(std.seq (std.let "i" 0) (std.let "odd" (list.new))
      (std.while true (std.seq (std.set "i" (+ (std.var "i") 1))
        (std.if (> (std.var "i") 9) (std.break))
        (std.if (== (% (std.var "i") 2) 0) (std.continue))
        (list.push (std.var "odd") (std.var "i"))))
      (std.var "odd"))`);
    expect(await run(script)).toEqual([1, 3, 5, 7, 9]);
  });
  test('for iterates a snapshot of the list', async () => {
    expect(
      await text(
        '(std.seq (std.let "sum" 0) (std.for "x" (list.new 1 2 3) (std.set "sum" (+ (std.var "sum") (std.var "x")))) (std.var "sum"))',
      ),
    ).toBe(6);
  });
  test('lambda closures, apply, arg, args, return', async () => {
    expect(
      await text(
        '(std.seq (std.let "k" 10) (std.let "f" (std.lambda ("a" "b") (+ (std.var "a") (std.var "b") (std.var "k")))) (std.apply (std.var "f") 1 2))',
      ),
    ).toBe(13);
    expect(await text('(std.apply (std.lambda () (std.args)) 1 2 3)')).toEqual([1, 2, 3]);
    expect(await text('(std.apply (std.lambda () (std.arg 1)) "a" "b")')).toBe('b');
    expect(
      await text(
        '(std.apply (std.lambda ("x") (std.seq (std.if (> (std.var "x") 0) (std.return "pos")) "neg")) 5)',
      ),
    ).toBe('pos');
    expect(await run(['std.seq', ['std.return', 7], 8])).toBe(7);
  });
  test('try catches thrown values and runtime errors with code and path', async () => {
    // As the reference: the variable holds exactly what std.throw threw.
    expect(
      await text('(std.try (std.throw "boom") "e" (str.concat "caught: " (std.var "e")))'),
    ).toBe('caught: boom');
    expect(await text('(std.try (std.throw {"a": 1}) "e" (std.var "e"))')).toEqual({ a: 1 });
    expect(await text('(std.try (std.throw 7) "e" (+ (std.var "e") 1))')).toBe(8);
    // Any other error binds {code, message, path}.
    expect(await text('(std.try (/ 1 0) "e" (std.var "e"))')).toEqual({
      code: 'RangeError',
      message: '/: division by zero',
      path: [1],
    });
  });
  test('try cannot swallow budget errors', async () => {
    const error = await fails(parseText('(std.try (std.while true (std.seq)) "e" "caught")'), {
      gas: 5000,
    });
    expect(error.code).toBe('OutOfGas');
  });
  test('quote returns data unevaluated and copies it', async () => {
    expect(
      await run([
        'std.quote',
        [
          [20, 20],
          [60, 60],
        ],
      ]),
    ).toEqual([
      [20, 20],
      [60, 60],
    ]);
    expect(
      await text(
        '(std.seq (std.let "f" (std.lambda () (std.quote (1)))) (list.push (std.apply (std.var "f")) 2) (std.apply (std.var "f")))',
      ),
    ).toEqual([1]);
  });
  test('typeof and conversions', async () => {
    expect(
      await text(
        '(list.new (std.typeof 1) (std.typeof "s") (std.typeof null) (std.typeof (list.new)) (std.typeof {"a": 1}) (std.typeof (std.lambda () 1)) (std.typeof true))',
      ),
    ).toEqual(['number', 'string', 'null', 'array', 'object', 'function', 'boolean']);
    expect(
      await text(
        '(list.new (std.int "4.7") (std.float "2.5") (std.number true) (std.boolean "") (std.string {"a": [1]}))',
      ),
    ).toEqual([4, 2.5, 1, false, '{"a":[1]}']);
    expect((await fails(['std.int', 'abc'])).code).toBe('TypeError');
  });
  test('log and warn collect logs', async () => {
    const result = await evaluate(
      parseText('(std.seq (std.log "a" 1 {"b": 2}) (std.warn "careful") 5)'),
    );
    expect(result.logs).toEqual([
      { level: 'info', message: 'a 1 {"b":2}' },
      { level: 'warn', message: 'careful' },
    ]);
  });
  test('json round trip', async () => {
    expect(await text('(json.parse (json.stringify {"a": [1, 2]}))')).toEqual({ a: [1, 2] });
    expect((await fails(['json.parse', '{bad'])).code).toBe('TypeError');
  });
});

describe('arithmetic, comparison, logic, math', () => {
  test('variadic arithmetic and chained comparisons', async () => {
    expect(
      await text('(list.new (+ 1 2 3) (- 10 1 2) (* 2 3 4) (/ 8 2 2) (% 7 3) (^ 2 10) (^ 2 3 2))'),
    ).toEqual([6, 7, 24, 2, 1, 1024, 512]);
    expect(
      await text(
        '(list.new (< 1 2 3) (< 1 3 2) (<= 1 1 2) (> 3 2 1) (>= 3 3 1) (== 1 1 1) (!= 1 2))',
      ),
    ).toEqual([true, false, true, true, true, true, true]);
    expect(await run(['==', ['list.new', 1, { a: 2 }], ['list.new', 1, { a: 2 }]])).toBe(true);
  });
  test('type errors name the opcode and argument', async () => {
    const error = await fails(['+', 1, 'two']);
    expect(error.code).toBe('TypeError');
    expect(error.message).toContain('+: argument 2 must be a number');
  });
  test('division by zero and non-finite results are RangeErrors', async () => {
    expect((await fails(['/', 1, 0])).code).toBe('RangeError');
    expect((await fails(['math.sqrt', -1])).code).toBe('RangeError');
  });
  test('lazy and/or/nullish/guard short-circuit', async () => {
    // and/or answer booleans as the reference does.
    expect(await text('(and 1 0 (std.throw "never"))')).toBe(false);
    expect(await text('(and 1 "x")')).toBe(true);
    expect(await text('(or 0 "x" (std.throw "never"))')).toBe(true);
    expect(await text('(or 0 "")')).toBe(false);
    expect(await text('(nullish null null 3 (std.throw "never"))')).toBe(3);
    // guard is variadic: the first falsy argument, or the last one.
    expect(await text('(guard false (std.throw "never"))')).toBe(false);
    expect(await text('(guard 1 0 (std.throw "never"))')).toBe(0);
    expect(await text('(guard true 5)')).toBe(5);
    expect(await text('(guard 1 "a" 3)')).toBe(3);
    expect(await text('(not 0)')).toBe(true);
  });
  test('math family', async () => {
    expect(
      await text(
        '(list.new (math.floor 1.5) (math.ceil 1.2) (math.trunc -1.5) (math.round 2.5) (math.abs -3) (math.sign -2) (math.min 3 1 2) (math.max 3 1 2) (math.clamp 15 0 10) (math.sqrt 16) (math.log2 8) (math.log10 1000))',
      ),
    ).toEqual([1, 2, -1, 3, 3, -1, 1, 3, 10, 4, 3, 3]);
    expect(await run(['math.atan2', 1, 1])).toBeCloseTo(Math.PI / 4);
    for (const name of ['sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'exp', 'log']) {
      expect(await run([`math.${name}`, 0.5])).toBeCloseTo(
        (Math as unknown as Record<string, (x: number) => number>)[name]!(0.5),
      );
    }
  });
});

describe('lists, objects, strings', () => {
  test('list family', async () => {
    expect(
      await text(`(std.seq (std.let "l" (list.new 3 1 2))
      (list.push (std.var "l") 4) (list.unshift (std.var "l") 0)
      (list.new (list.len (std.var "l")) (list.get (std.var "l") 1) (list.get (std.var "l") 99)
        (list.slice (std.var "l") 1 3) (list.includes (std.var "l") 4) (list.reverse (list.new 1 2))
        (list.sort (list.slice (std.var "l"))) (list.pop (std.var "l")) (list.shift (std.var "l")) (list.empty (list.new))
        (list.concat (list.new 1) (list.new 2 3)) (list.splice (std.var "l") 0 1 "x") (std.var "l")))`),
    ).toEqual([
      5,
      3,
      null,
      [3, 1],
      true,
      [2, 1],
      [0, 1, 2, 3, 4],
      4,
      0,
      true,
      [1, 2, 3],
      [3],
      ['x', 1, 2],
    ]);
  });
  test('list.sort and list.reverse return new lists and leave their input unchanged', async () => {
    expect(
      await text(`(std.seq (std.let "l" (list.new 10 9 1)) (std.let "r" (list.new 1 2 3))
        (list.new (list.sort (std.var "l")) (list.reverse (std.var "r")) (std.var "l") (std.var "r")))`),
    ).toEqual([
      [1, 9, 10],
      [3, 2, 1],
      [10, 9, 1],
      [1, 2, 3],
    ]);
    expect(
      await text(`(std.seq (std.let "l" (list.new 3 "a" 1))
        (std.try (list.sort (std.var "l")) "e" (obj.get (std.var "e") "code")))`),
    ).toBe('TypeError');
    expect(
      await text(`(std.seq (std.let "l" (list.new 3 "a" 1))
        (std.try (list.sort (std.var "l")) "e" null) (std.var "l"))`),
    ).toEqual([3, 'a', 1]);
  });
  test('list higher-order opcodes call lambdas with item and index', async () => {
    expect(
      await text(
        '(list.map (list.new 1 2 3) (std.lambda ("x" "i") (+ (std.var "x") (std.var "i"))))',
      ),
    ).toEqual([1, 3, 5]);
    expect(
      await text('(list.filter (list.new 1 2 3 4) (std.lambda ("x") (== (% (std.var "x") 2) 0)))'),
    ).toEqual([2, 4]);
    expect(await text('(list.find (list.new 1 2 3) (std.lambda ("x") (> (std.var "x") 1)))')).toBe(
      2,
    );
    expect(
      await text(
        '(list.flatMap (list.new 1 2) (std.lambda ("x") (list.new (std.var "x") (std.var "x"))))',
      ),
    ).toEqual([1, 1, 2, 2]);
    expect(
      await text(
        '(list.reduce (list.new 1 2 3) (std.lambda ("acc" "x") (+ (std.var "acc") (std.var "x"))) 10)',
      ),
    ).toBe(16);
    expect(
      await text(
        '(list.sort (list.new 1 3 2) (std.lambda ("a" "b") (- (std.var "b") (std.var "a"))))',
      ),
    ).toEqual([3, 2, 1]);
    expect((await fails(['list.set', ['list.new'], 5, 1])).code).toBe('RangeError');
  });
  test('object family; __proto__ and constructor are plain keys', async () => {
    expect(
      await text(`(std.seq (std.let "o" (obj.new ("a" 1) ("b" (+ 1 1))))
      (obj.set (std.var "o") "__proto__" 5) (obj.set (std.var "o") "constructor" 6)
      (list.new (obj.keys (std.var "o")) (obj.values (std.var "o")) (obj.get (std.var "o") "zz" "dflt")
        (obj.has (std.var "o") "a") (obj.del (std.var "o") "a") (obj.has (std.var "o") "a")
        (obj.get (obj.new) "constructor") (obj.entries (obj.new ("k" 1)))))`),
    ).toEqual([
      ['a', 'b', '__proto__', 'constructor'],
      [1, 2, 5, 6],
      'dflt',
      true,
      true,
      false,
      null,
      [['k', 1]],
    ]);
    expect(await text('(obj.merge {"a": 1} {"a": 2, "b": 3})')).toEqual({ a: 2, b: 3 });
    expect(
      await text(
        '(obj.map {"a": 1, "b": 2} (std.lambda ("v" "k") (str.concat (std.var "k") (std.var "v"))))',
      ),
    ).toEqual({ a: 'a1', b: 'b2' });
    expect(
      await text('(obj.filter {"a": 1, "b": 2} (std.lambda ("v") (> (std.var "v") 1)))'),
    ).toEqual({ b: 2 });
    expect(
      await text('(obj.flatMap {"a": 1} (std.lambda ("v" "k") (obj.new ("a2" (std.var "v")))))'),
    ).toEqual({ a2: 1 });
    expect(
      await text(
        '(obj.reduce {"a": 1, "b": 2} (std.lambda ("acc" "v") (+ (std.var "acc") (std.var "v"))) 0)',
      ),
    ).toBe(3);
  });
  test('string family', async () => {
    expect(
      await text(
        '(list.new (str.len "abc") (str.concat "a" 1 true null) (str.split "a,b" ",") (str.slice "hello" 1 3) (str.upper "a") (str.lower "B") (str.trim "  x ") (str.replace "a-b-c" "-" "+") (str.includes "abc" "bc") (str.join (list.new 1 2) "-") (str.replace "hello" "l" "$&$&"))',
      ),
    ).toEqual([3, 'a1truenull', ['a', 'b'], 'el', 'A', 'b', 'x', 'a+b-c', true, '1-2', 'he$&$&lo']);
  });
});

describe('async opcodes, budgets and cancellation', () => {
  test('external opcodes may await; order of effects is preserved', async () => {
    const script = parseText(
      '(list.map (list.new 30 1 10) (std.lambda ("ms") (test.sleep (std.var "ms") (std.var "ms"))))',
    );
    expect(await run(script, { opcodes: [sleepOpcode] })).toEqual([30, 1, 10]);
  });
  test('wall time pauses while an opcode is awaited', async () => {
    expect(await run(['test.sleep', 50, 'ok'], { opcodes: [sleepOpcode], timeoutMs: 10 })).toBe(
      'ok',
    );
  });
  test('wall-time budget stops busy scripts', async () => {
    const error = await fails(['std.while', true, ['std.seq']], { timeoutMs: 20, gas: 1e12 });
    expect(error.code).toBe('Timeout');
  });
  test('gas is charged in loops with empty bodies and inside lambdas', async () => {
    expect((await fails(['std.while', true, ['std.seq']], { gas: 10_000 })).code).toBe('OutOfGas');
    const recursion = parseText(
      '(std.seq (std.let "f" (std.lambda ("n") (std.if (> (std.var "n") 0) (std.apply (std.var "f") (- (std.var "n") 1)) 0))) (std.apply (std.var "f") 50))',
    );
    const cheap = await evaluate(recursion);
    expect(cheap.gasUsed).toBeGreaterThan(50 * 10);
    expect((await fails(recursion, { gas: 100 })).code).toBe('OutOfGas');
  });
  test('results that grow with their inputs are charged by size, so doubling runs out of gas', async () => {
    const doubling = (grow: string) =>
      parseText(`(std.seq (std.let "x" (list.new 1)) (std.let "s" "ab")
        (std.while true (std.seq ${grow})))`);
    const list = await fails(doubling('(std.set "x" (list.concat (std.var "x") (std.var "x")))'), {
      gas: 1_000_000,
    });
    expect(list.code).toBe('OutOfGas');
    const text = await fails(doubling('(std.set "s" (str.concat (std.var "s") (std.var "s")))'), {
      gas: 1_000_000,
    });
    expect(text.code).toBe('OutOfGas');
    // Copying 1,000 items costs about 1,000 gas beyond the nodes themselves.
    const small = await evaluate([
      'list.len',
      ['list.slice', ['std.quote', new Array(1000).fill(0)]],
    ]);
    expect(small.gasUsed).toBeGreaterThanOrEqual(1000);
  });
  test('deep recursion ends in DepthExceeded with a script trace, not a host overflow', async () => {
    const error = await fails(
      parseText(
        '(std.seq (std.let "f" (std.lambda ("n") (std.apply (std.var "f") (+ (std.var "n") 1)))) (std.apply (std.var "f") 0))',
      ),
    );
    expect(error.code).toBe('DepthExceeded');
    expect(error.trace.length).toBeGreaterThan(0);
    expect(error.message).not.toContain('    at ');
  });
  test('deeply nested scripts are refused with DepthExceeded', async () => {
    let nested: unknown = 1;
    for (let level = 0; level < 50_000; level++) nested = ['+', nested, 1];
    expect((await fails(nested)).code).toBe('DepthExceeded');
  });
  test('output budget covers logs and the result', async () => {
    const error = await fails(
      parseText('(std.while true (std.log "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"))'),
      { maxOutputBytes: 1000 },
    );
    expect(error.code).toBe('OutputLimit');
  });
  test('an AbortSignal cancels a running script, even while awaiting', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const error = await fails(['std.while', true, ['test.sleep', 5, 1]], {
      opcodes: [sleepOpcode],
      signal: controller.signal,
    });
    expect(error.code).toBe('Cancelled');
  });
  test('busy loops yield to the host, so a timer can cancel a purely synchronous script', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const spin = ['std.while', true, ['std.seq']];
    expect((await fails(spin, { gas: 1e12, signal: controller.signal })).code).toBe('Cancelled');
    const again = new AbortController();
    setTimeout(() => again.abort(), 50);
    const forever = parseText(
      '(std.for "x" (std.quote (1 2 3)) (std.while true (std.for "y" (list.new 1 2) (std.seq))))',
    );
    expect((await fails(forever, { gas: 1e12, signal: again.signal })).code).toBe('Cancelled');
  });
  test('a sort comparator with a long loop still finishes synchronously', async () => {
    const script = parseText(`(list.sort (list.new 3 1 2) (std.lambda ("a" "b") (std.seq
      (std.let "i" 0) (std.while (< (std.var "i") 100000) (std.set "i" (+ (std.var "i") 1)))
      (- (std.var "a") (std.var "b")))))`);
    expect((await evaluate(script)).value).toEqual([1, 2, 3]);
  });
  test('host errors inside opcodes become ScriptErrors at the call path without stacks', async () => {
    const broken: OpcodeDefinition = {
      metadata: { ...sleepOpcode.metadata, opcode: 'test.broken', params: [] },
      eval() {
        throw new TypeError('host detail');
      },
    };
    const error = await fails(['std.seq', 1, ['test.broken']], { opcodes: [broken] });
    expect(error.path).toEqual([2]);
    expect(error.message).toBe('host detail');
    expect(JSON.stringify(error.toJSON())).not.toContain('at ');
  });
  test('errors carry the JSON path of the failing call', async () => {
    const error = await fails(['std.seq', ['std.let', 'x', 1], ['+', ['std.var', 'x'], 'a']]);
    expect(error.path).toEqual([2]);
    expect((await fails(['std.seq', ['std.var', 'nope']])).path).toEqual([1]);
  });
});
