import type { OpcodeDefinition } from '@viwo/script';
import { CapabilityError } from '../capabilities/capability-error.ts';
import { defineCapability, defineMethod } from '../capabilities/define-capability.ts';
import { param } from '../capabilities/param.ts';
import { coreError } from '../errors.ts';
import type { Plugin } from '../plugin.ts';
import { asScriptHost } from '../script-host.ts';

const COLORS = { red: [255, 0, 0], green: [0, 255, 0], blue: [0, 0, 255] } as const;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/**
 * The `test` capability: cheap, deterministic methods that exercise everything core offers a
 * plugin (validation, bounds, compute cost, progress with previews, cancellation, seeds, images,
 * composition, errors). Used by core's tests, the server's tests and the conformance suite.
 */
export const testCapability = defineCapability({
  type: 'test',
  label: 'Test capability',
  description:
    'Deterministic methods for tests: echo, solid-colour render with steps, invert, fail.',
  methods: {
    echo: defineMethod({
      label: 'Echo',
      description: 'Returns the text, repeated.',
      params: [
        param.text({ name: 'text', label: 'Text', description: 'What to echo.' }),
        param.object(
          {
            repeat: param.integer({
              label: 'Repeat',
              description: 'How many times.',
              default: 1,
              min: 1,
              max: 10,
            }),
          },
          { name: 'options', label: 'Options', description: 'Echo options.', optional: true },
        ),
      ],
      returns: 'string',
      async run(_context, text, { repeat }) {
        return text.repeat(repeat);
      },
    }),
    render: defineMethod({
      label: 'Render',
      description: 'A solid-colour image after `steps` steps, reporting progress each step.',
      params: [
        param.text({ name: 'prompt', label: 'Prompt', description: 'Stored in the PNG text.' }),
        param.object(
          {
            width: param.integer({
              label: 'Width',
              description: 'Pixels.',
              default: 16,
              min: 1,
              max: 1024,
            }),
            height: param.integer({
              label: 'Height',
              description: 'Pixels.',
              default: 16,
              min: 1,
              max: 1024,
            }),
            steps: param.integer({
              label: 'Steps',
              description: 'Progress steps.',
              default: 4,
              min: 1,
              max: 1000,
            }),
            seed: param.seed({
              label: 'Seed',
              description: 'Recorded in history.',
              optional: true,
            }),
            color: param.enum(['red', 'green', 'blue'], {
              label: 'Colour',
              description: 'Fill colour.',
              default: 'red',
            }),
            delay_ms: param.integer({
              label: 'Delay',
              description: 'Wait per step (for cancellation tests).',
              default: 0,
              min: 0,
              max: 60000,
            }),
            preview: param.boolean({
              label: 'Preview',
              description: 'Attach a 2×2 preview image to each progress report.',
              default: false,
            }),
            max_compute: param.number({
              label: 'Max compute',
              description: 'Refuse if the call would cost more megapixel-steps.',
              optional: true,
              min: 0,
            }),
          },
          { name: 'options', label: 'Options', description: 'Render options.' },
        ),
      ],
      returns: 'image',
      cost: ([, options]) => (options.width * options.height * options.steps) / 1e6,
      async run(context, prompt, options) {
        const [r, g, b] = COLORS[options.color];
        context.recordSeed(options.seed ?? 0);
        for (let step = 1; step <= options.steps; step++) {
          await sleep(options.delay_ms, context.signal);
          if (context.signal.aborted) throw new CapabilityError('Cancelled', 'render cancelled');
          const preview = options.preview
            ? await context.images.putRaw({
                data: new Uint8Array(12).fill(step % 256),
                width: 2,
                height: 2,
                channels: 3,
              })
            : undefined;
          context.progress({ label: 'render', step, total: options.steps, preview });
        }
        const data = new Uint8Array(options.width * options.height * 3);
        for (let i = 0; i < data.length; i += 3) {
          data[i] = r;
          data[i + 1] = g;
          data[i + 2] = b;
        }
        return context.images.putRaw(
          { data, width: options.width, height: options.height, channels: 3 },
          { parameters: prompt },
        );
      },
    }),
    invert: defineMethod({
      label: 'Invert',
      description: 'The image with its colours inverted.',
      params: [param.image({ name: 'image', label: 'Image', description: 'Input image.' })],
      returns: 'image',
      async run(context, image) {
        const raw = await context.images.getRaw(image, 3);
        const data = raw.data.map((value) => 255 - value);
        return context.images.putRaw({ ...raw, data });
      },
    }),
    echo_via: defineMethod({
      label: 'Echo via invoke',
      description: 'Calls test.echo through the session (composition).',
      params: [param.string({ name: 'text', label: 'Text', description: 'What to echo.' })],
      returns: 'string',
      async run(context, text) {
        return context.invoke('test', 'echo', [`via:${text}`]);
      },
    }),
    fail: defineMethod({
      label: 'Fail',
      description: 'Throws a plain Error (to test clean error reporting).',
      params: [param.string({ name: 'message', label: 'Message', description: 'Error text.' })],
      returns: 'null',
      async run(_context, message) {
        throw new Error(message);
      },
    }),
  },
});

const doubleOpcode: OpcodeDefinition = {
  metadata: {
    opcode: 'test.double',
    label: 'Double',
    category: 'test',
    description: 'Twice a number (a plugin-provided opcode).',
    params: [{ name: 'value', type: 'number' }],
    returns: 'number',
  },
  eval([value]) {
    if (typeof value !== 'number')
      throw coreError('InvalidArgument', 'test.double: value must be a number');
    return value * 2;
  },
};

const finalizeOpcode: OpcodeDefinition = {
  metadata: {
    opcode: 'test.finalize',
    label: 'Finalize',
    category: 'test',
    description: 'Registers a finalizer that stores a 1×1 grey image of the given level.',
    params: [{ name: 'level', type: 'integer' }],
    returns: 'null',
  },
  eval([level], context) {
    const host = asScriptHost(context.host);
    host.addFinalizer(() =>
      host.images.putRaw({
        data: new Uint8Array([Number(level) % 256]),
        width: 1,
        height: 1,
        channels: 1,
      }),
    );
    return null;
  },
};

/** A plugin providing the `test` capability and the `test.double` / `test.finalize` opcodes. */
export function createTestPlugin(): Plugin & { disposed: boolean } {
  const plugin = {
    name: 'test',
    version: '1.0.0',
    disposed: false,
    async init() {},
    capabilities: () => [testCapability],
    opcodes: () => [doubleOpcode, finalizeOpcode],
    async dispose() {
      plugin.disposed = true;
    },
  };
  return plugin;
}

/** A plugin whose init throws, to test failure isolation. */
export function createFailingPlugin(message = 'model files missing'): Plugin {
  return {
    name: 'failing',
    version: '0.0.1',
    async init() {
      throw new Error(message);
    },
    capabilities: () => [],
    async dispose() {},
  };
}
