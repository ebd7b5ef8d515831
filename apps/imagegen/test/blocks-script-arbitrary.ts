/** fast-check arbitrary of scripts built from the fixture's vocabulary plus constructs with no block. */
import fc from 'fast-check';

const finite = fc
  .oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ noNaN: true, noDefaultInfinity: true }))
  .map((value) => (Object.is(value, -0) ? 0 : value));
const scalar = fc.oneof(finite, fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null));
const names = fc.constantFrom('x', 'y', 'image', 'seed', 'acc');

/** Scripts built from the vocabulary the generator offers (plus a few constructs with no block). */
const { expr } = fc.letrec<{ expr: unknown; body: unknown }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.dictionary(fc.string({ maxLength: 4 }), scalar, { maxKeys: 3 }),
    names.map((name) => ['std.var', name]),
    fc.tuple(names, tie('expr')).map(([name, value]) => ['std.let', name, value]),
    fc.tuple(names, tie('expr')).map(([name, value]) => ['std.set', name, value]),
    fc.array(tie('expr'), { maxLength: 4 }).map((items) => ['std.seq', ...items]),
    fc
      .tuple(tie('expr'), tie('body'), fc.option(tie('body'), { nil: undefined }))
      .map(([cond, then, otherwise]) =>
        otherwise === undefined ? ['std.if', cond, then] : ['std.if', cond, then, otherwise],
      ),
    fc.tuple(tie('expr'), tie('body')).map(([cond, body]) => ['std.while', cond, body]),
    fc
      .tuple(names, tie('expr'), tie('body'))
      .map(([name, list, body]) => ['std.for', name, list, body]),
    fc
      .tuple(tie('body'), names, tie('body'))
      .map(([body, name, handler]) => ['std.try', body, name, handler]),
    tie('body').map((body) => ['std.try', body]),
    fc
      .tuple(fc.uniqueArray(names, { maxLength: 3 }), tie('body'))
      .map(([params, body]) => ['std.lambda', params, body]),
    fc.array(tie('expr'), { maxLength: 4 }).map((items) => ['+', ...items]),
    fc.array(tie('expr'), { maxLength: 3 }).map((items) => ['list.new', ...items]),
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => ['list.get', a, b]),
    fc.array(tie('expr'), { maxLength: 3 }).map((items) => ['math.clamp', ...items]),
    fc.tuple(tie('expr')).map(([value]) => ['not', value]),
    fc.array(scalar, { maxLength: 3 }).map((points) => ['std.quote', [points]]),
    fc.constantFrom('upscale', 'test.only').map((type) => ['get_capability', type]),
    fc
      .record(
        {
          model: fc.constantFrom('esrgan-slim', 'esrgan-medium', 'unknown-model'),
          factor: fc.oneof(fc.constantFrom(2, 3, 4), finite),
          tileSize: fc.integer({ min: 0, max: 600 }),
        },
        { requiredKeys: [] },
      )
      .chain((options) =>
        fc.tuple(tie('expr'), fc.boolean(), fc.boolean()).map(([image, withOptions, byVar]) => {
          const handle = byVar ? ['std.var', 'up'] : ['get_capability', 'upscale'];
          const call: unknown[] = ['std.call_method', handle, 'upscale', image];
          if (withOptions) call.push(options);
          return call;
        }),
      ),
    fc
      .tuple(
        fc.string({ maxLength: 10 }),
        fc.record(
          {
            steps: fc.integer({ min: 0, max: 200 }),
            guidance_scale: fc.oneof(fc.constantFrom(7.5, 7.3, 0, 30.5), finite),
            width: fc.integer({ min: 0, max: 3000 }),
            seed: fc.oneof(fc.nat(), fc.constant(-1)),
            scheduler: fc.constantFrom('euler', 'ddim'),
            controls: fc.array(fc.record({ type: fc.constant('canny'), strength: finite }), {
              maxLength: 2,
            }),
          },
          { requiredKeys: [] },
        ),
      )
      .map(([prompt, options]) => [
        'std.call_method',
        ['get_capability', 'diffusers.generate'],
        'textToImage',
        prompt,
        options,
      ]),
    fc
      .array(tie('expr'), { maxLength: 3 })
      .map((args) => ['std.call_method', ['get_capability', 'test.only'], 'everything', ...args]),
    // Constructs with no block: unknown opcodes, bare lists, malformed control forms.
    fc.array(scalar, { maxLength: 3 }).map((items) => ['unknown.opcode', ...items]),
    fc.array(scalar, { maxLength: 3 }),
    tie('expr').map((value) => ['std.if', value]),
  ),
  body: tie('expr'),
}));

/** A script in JSON form. */
export const scriptArbitrary = expr;
