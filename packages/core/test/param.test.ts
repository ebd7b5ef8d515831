import { describe, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CapabilityError } from '../src/capabilities/capability-error.ts';
import {
  capabilityMetadata,
  defineCapability,
  defineMethod,
  definitionProblems,
} from '../src/capabilities/define-capability.ts';
import { type ArgsOf, param } from '../src/capabilities/param.ts';
import { validateArguments } from '../src/capabilities/validate-arguments.ts';
import type { ImageStore, ImageValue } from '../src/image-value.ts';
import { createRuntime } from '../src/runtime.ts';

/** Compile-time equality: `Expect<Equal<A, B>>` fails typecheck unless A and B are identical. */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

const known = 'a'.repeat(64);
const images = { has: async (hash: string) => hash === known } as unknown as ImageStore;
const image = { $image: known, width: 8, height: 8 };

let models = ['tiny-a', 'tiny-b'];
const generateParams = [
  param.image({ name: 'image', label: 'Image' }),
  param.text({ name: 'prompt', label: 'Prompt' }),
  param.object(
    {
      model_id: param.enum(() => models, { label: 'Model', implicitDefault: () => models[0] }),
      steps: param.integer({ label: 'Steps', min: 1, max: 50, default: 20 }),
      scheduler: param.enum(['euler', 'ddim'], { label: 'Sampler', default: 'euler' }),
      seed: param.seed({ label: 'Seed', optional: true }),
      controls: param.list(
        param.object({
          image: param.image({ label: 'Image' }),
          strength: param.number({ label: 'Strength', min: 0, max: 2 }),
        }),
        { label: 'Controls', optional: true },
      ),
    },
    { name: 'options', label: 'Options', optional: true },
  ),
] as const;

// The argument types `run` gets come from the declaration alone.
type Args = ArgsOf<typeof generateParams>;
type _image = Expect<Equal<Args[0], ImageValue>>;
type _prompt = Expect<Equal<Args[1], string>>;
type _steps = Expect<Equal<Args[2]['steps'], number>>;
type _scheduler = Expect<Equal<Args[2]['scheduler'], 'euler' | 'ddim'>>;
type _model = Expect<Equal<Args[2]['model_id'], string | undefined>>;
type _seed = Expect<Equal<Args[2]['seed'], number | undefined>>;
type _controls = Expect<
  Equal<NonNullable<Args[2]['controls']>, { image: ImageValue; strength: number }[]>
>;
const optionalText = param.text({ name: 'note', optional: true });
type _optional = Expect<Equal<ArgsOf<[typeof optionalText]>[0], string | undefined>>;

describe('param builders', () => {
  test('metadata comes from the declaration, live lists and implicit defaults included', () => {
    const definition = defineCapability({
      type: 'demo',
      label: 'Demo',
      description: 'Demo capability',
      methods: {
        generate: defineMethod({
          label: 'Generate',
          description: 'Generates',
          params: generateParams,
          returns: 'image',
          async run(_context, input, prompt, options) {
            // Typed without casts: misuse does not compile.
            // @ts-expect-error: not a declared option
            void options.stepz;
            // @ts-expect-error: a prompt is a string, not a number
            void (prompt satisfies number);
            return `${input.width}:${prompt.length}:${options.steps}:${options.scheduler}`;
          },
        }),
      },
    });
    const options = () => capabilityMetadata(definition).methods[0]!.params[2]!;
    expect(options().fields?.map((field) => field.name)).toEqual([
      'model_id',
      'steps',
      'scheduler',
      'seed',
      'controls',
    ]);
    expect(options().fields?.[0]).toEqual({
      name: 'model_id',
      type: 'enum',
      label: 'Model',
      default: 'tiny-a',
      options: ['tiny-a', 'tiny-b'],
      optional: true,
    });
    models = ['real-x', 'tiny-a'];
    expect(options().fields?.[0]?.options).toEqual(['real-x', 'tiny-a']);
    expect(options().fields?.[0]?.default).toBe('real-x');
    expect(options().fields?.[4]?.items?.fields?.map((field) => field.type)).toEqual([
      'image',
      'number',
    ]);
    models = ['tiny-a', 'tiny-b'];
  });

  test('validation fills declared defaults, not implicit ones, and names the JSON path', async () => {
    const context = { where: 'demo.generate', images };
    expect(await validateArguments(generateParams, [image, 'cat'], context)).toEqual([
      image,
      'cat',
      { steps: 20, scheduler: 'euler' },
    ]);
    const reject = async (options: unknown) => {
      try {
        await validateArguments(generateParams, [image, 'cat', options], context);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(await reject({ model_id: 'nope' })).toContain('options.model_id must be one of');
    expect(await reject({ stepz: 3 })).toContain('options.stepz is not a known option');
    expect(await reject({ controls: [{ image, strength: 3 }] })).toContain(
      'options.controls[0].strength must be at most 2',
    );
  });

  test('the registry refuses a declaration with a default outside its own bounds', () => {
    const broken = {
      type: 'broken',
      label: 'Broken',
      description: 'Declares a bad default',
      methods: {
        run: defineMethod({
          label: 'Run',
          description: 'Runs',
          params: [
            param.integer({ name: 'steps', label: 'Steps', min: 1, max: 10, default: 40 }),
            param.enum(['a', 'b'], { name: 'mode', label: 'Mode', implicitDefault: 'c' as 'a' }),
          ],
          returns: 'null',
          async run() {
            return null;
          },
        }),
      },
    };
    expect(definitionProblems(broken)).toEqual([
      'method run: param steps: default 40 is above max 10',
      'method run: param mode: implicit default "c" is not an option',
    ]);
    expect(() => defineCapability(broken)).toThrow(/default 40 is above max 10/);
  });
});

describe('CapabilityError', () => {
  test('keeps its code and names the param; other plugin errors become PluginError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'viwo-param-'));
    const failing = defineCapability({
      type: 'failing',
      label: 'Failing',
      description: 'Fails on purpose',
      methods: {
        refuse: defineMethod({
          label: 'Refuse',
          description: 'Throws a CapabilityError',
          params: [param.string({ name: 'model', label: 'Model' })],
          returns: 'null',
          async run(_context, model) {
            throw new CapabilityError('NotFound', `no model '${model}'`, { param: 'model' });
          },
        }),
        crash: defineMethod({
          label: 'Crash',
          description: 'Throws an error that merely looks coded',
          params: [],
          returns: 'null',
          async run() {
            throw Object.assign(new Error('disk on fire'), { code: 'InvalidArgument' });
          },
        }),
      },
    });
    const runtime = await createRuntime({
      dataDir: dir,
      plugins: [
        {
          name: 'failing',
          version: '1.0.0',
          async init() {},
          capabilities: () => [failing],
          opcodes: () => [],
          async dispose() {},
        },
      ],
    });
    try {
      const session = runtime.openSession({ id: 's', local: true });
      const handle = session.getCapability('failing');
      await expect(session.callMethod(handle, 'refuse', ['big'])).rejects.toMatchObject({
        code: 'NotFound',
        message: "failing.refuse: model: no model 'big'",
      });
      await expect(session.callMethod(handle, 'crash', [])).rejects.toMatchObject({
        code: 'PluginError',
        message: 'failing.crash failed: disk on fire',
      });
    } finally {
      await runtime.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
