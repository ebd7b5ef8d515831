import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import type { RecordedCall } from '../src/history.ts';
import { recordedCallsFromScript } from '../src/recorded-calls-from-script.ts';

/** Heads the walker gives meaning to; noise must not use them, or it would add calls. */
const RESERVED = new Set([
  'std.call_method',
  'std.quote',
  'std.let',
  'std.set',
  'std.var',
  'get_capability',
]);

const noReserved = (value: unknown): boolean =>
  typeof value === 'string'
    ? !RESERVED.has(value)
    : Array.isArray(value)
      ? value.every(noReserved)
      : value !== null && typeof value === 'object'
        ? Object.values(value).every(noReserved)
        : true;

/** Arbitrary JSON with no reserved opcode anywhere: the walker must find nothing in it. */
const noise = fc.jsonValue().filter(noReserved);

/** A literal argument: anything but an array (arrays are expressions), and no seed option. */
const literal = noise.filter(
  (value) =>
    !Array.isArray(value) && !(value !== null && typeof value === 'object' && 'seed' in value),
);

const inserted = fc.record({
  type: fc.constantFrom('diffusers.generate', 'test', 'upscale', 'controlnet.generate'),
  method: fc.string({ minLength: 1, maxLength: 12 }),
  args: fc.array(literal, { maxLength: 3 }),
  seed: fc.option(fc.nat({ max: 2 ** 31 }), { nil: undefined }),
  /** How many noise arrays wrap the call (it is still evaluated where it sits). */
  depth: fc.nat({ max: 3 }),
});

/** Script-shaped trees where reserved heads do appear, with arbitrary tails. */
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue(),
    fc
      .tuple(
        fc.constantFrom(...RESERVED, 'list.new', 'std.seq'),
        fc.array(tie('tree'), { maxLength: 4 }),
      )
      .map(([head, tail]) => [head, ...tail]),
  ),
}));

describe('recordedCallsFromScript', () => {
  test('never throws on arbitrary JSON or script-shaped trees, and answers plain JSON', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), tree), (script) => {
        const { calls, seeds } = recordedCallsFromScript(script);
        for (const call of calls) {
          expect(typeof call.type).toBe('string');
          expect(typeof call.method).toBe('string');
          expect(Array.isArray(call.args)).toBe(true);
        }
        for (const seed of seeds) expect(Number.isSafeInteger(seed)).toBe(true);
        expect(JSON.parse(JSON.stringify({ calls, seeds }))).toEqual({ calls, seeds });
      }),
      { numRuns: 300 },
    );
  });

  test('finds exactly the calls inserted among noise, in order, with their literal args', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(noise, { maxLength: 2 }), inserted), { maxLength: 5 }),
        fc.array(noise, { maxLength: 2 }),
        (segments, tail) => {
          const steps: unknown[] = [];
          const expected: RecordedCall[] = [];
          const seeds: number[] = [];
          for (const [before, call] of segments) {
            const args =
              call.seed === undefined ? call.args : [...call.args, { seed: call.seed, steps: 4 }];
            let node: unknown = [
              'std.call_method',
              ['get_capability', call.type],
              call.method,
              ...args,
            ];
            for (let level = 0; level < call.depth; level++) node = ['noise.op', ...before, node];
            steps.push(...before, node);
            expected.push({ type: call.type, method: call.method, args });
            if (call.seed !== undefined) seeds.push(call.seed);
          }
          const script = ['std.seq', ...steps, ...tail];
          expect(recordedCallsFromScript(script)).toEqual({ calls: expected, seeds });
        },
      ),
      { numRuns: 200 },
    );
  });

  test('handles bound by std.let, literal bindings, quoted values; expressions record null', () => {
    const script = [
      'std.seq',
      ['std.let', 'gen', ['get_capability', 'diffusers.generate']],
      ['std.let', 'prompt', 'a red fox'],
      [
        'std.call_method',
        ['std.var', 'gen'],
        'imageToImage',
        ['std.call_method', ['get_capability', 'upscale'], 'upscale', { $image: 'h' }, {}],
        ['std.var', 'prompt'],
        ['std.quote', [1, 2]],
        { seed: 7, batch_size: 3 },
      ],
      ['std.call_method', ['std.var', 'unbound'], 'textToImage', 'ignored', { seed: 1 }],
      ['std.quote', ['std.call_method', ['get_capability', 'test'], 'render', 'data', {}]],
    ];
    expect(recordedCallsFromScript(script)).toEqual({
      calls: [
        // The inner call runs first, as a job would record it.
        { type: 'upscale', method: 'upscale', args: [{ $image: 'h' }, {}] },
        {
          type: 'diffusers.generate',
          method: 'imageToImage',
          args: [null, 'a red fox', [1, 2], { seed: 7, batch_size: 3 }],
        },
      ],
      seeds: [7, 8, 9],
    });
  });

  test('a script nested far deeper than any call stack is still read', () => {
    let script: unknown = ['std.call_method', ['get_capability', 'test'], 'render', 'deep', {}];
    for (let level = 0; level < 200_000; level++) script = ['std.seq', script];
    expect(recordedCallsFromScript(script).calls).toEqual([
      { type: 'test', method: 'render', args: ['deep', {}] },
    ]);
  });
});
