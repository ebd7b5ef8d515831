import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { canonicalJson, resultCacheKey } from '../src/capabilities/result-cache.ts';
import type { CapabilityCallContext } from '../src/capability-definition.ts';
import type { ImageValue } from '../src/image-value.ts';
import type { Plugin } from '../src/plugin.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';

/** A deterministic `paint` method that counts how often it really runs. */
function countingPlugin(counter: { runs: number; identity: string }, version: string): Plugin {
  return {
    name: 'counting',
    version,
    async init() {},
    dispose: async () => {},
    capabilities: () => [
      {
        type: 'counting',
        label: 'Counting',
        description: 'Paints a grey square; counts its runs',
        methods: {
          paint: {
            label: 'Paint',
            description: 'A grey square',
            params: [
              {
                name: 'options',
                type: 'object',
                label: 'Options',
                description: 'seed',
                optional: true,
                fields: [
                  {
                    name: 'seed',
                    type: 'seed',
                    label: 'Seed',
                    description: 'seed',
                    optional: true,
                  },
                  { name: 'tone', type: 'integer', label: 'Tone', description: 'grey', default: 9 },
                ],
              },
            ],
            returns: 'image',
            cost: () => 1,
            cacheIdentity: async (args) =>
              typeof (args[0] as { seed?: unknown } | undefined)?.seed === 'number'
                ? counter.identity
                : undefined,
            async run(context: CapabilityCallContext, options: unknown) {
              counter.runs++;
              const { seed = 0, tone } = options as { seed?: number; tone: number };
              context.recordSeed(seed);
              context.progress({ label: 'paint', step: 1, total: 1 });
              return context.images.putRaw({
                data: new Uint8Array(4 * 4 * 3).fill((tone + seed) % 256),
                width: 4,
                height: 4,
                channels: 3,
              });
            },
          },
        },
      },
    ],
  };
}

const paint = (options: Record<string, unknown>) => [
  'std.call_method',
  ['get_capability', 'counting'],
  'paint',
  options,
];

let dir: string;
const runtimes: Runtime[] = [];
const counter = { runs: 0, identity: 'model-a' };
async function open(resultCache?: boolean, version = '1.0.0'): Promise<Runtime> {
  const runtime = await createRuntime({
    dataDir: dir,
    plugins: [countingPlugin(counter, version)],
    ...(resultCache === undefined ? {} : { resultCache }),
  });
  runtimes.push(runtime);
  return runtime;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'viwo-result-cache-'));
});
afterAll(async () => {
  for (const runtime of runtimes) await runtime.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('result cache', () => {
  test('canonical JSON ignores key order and round-trips every JSON value', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
    // Canonical text parses back to the value itself: distinct values never share a key.
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
    expect(resultCacheKey('t', 'm', [{ a: 1, b: 2 }], 'x')).toBe(
      resultCacheKey('t', 'm', [{ b: 2, a: 1 }], 'x'),
    );
    expect(resultCacheKey('t', 'm', [1], 'x')).not.toBe(resultCacheKey('t', 'm', [1], 'y'));
  });

  test('a repeated seeded call is answered from the cache, across restarts, same image', async () => {
    const runtime = await open();
    const session = runtime.openSession('cli');
    const first = await session.executeScript(paint({ seed: 3 }));
    expect(counter.runs).toBe(1);
    const second = await session.executeScript(paint({ seed: 3, tone: 9 }));
    expect(counter.runs).toBe(1);
    expect((second.result as ImageValue).$image).toBe((first.result as ImageValue).$image);
    expect(second.images.map((image) => image.$image)).toEqual([
      (first.result as ImageValue).$image,
    ]);
    const entry = runtime.history.get(second.job_id);
    expect(entry?.seeds).toEqual([3]);

    const restarted = await open();
    await restarted.openSession('cli').executeScript(paint({ seed: 3 }));
    expect(counter.runs).toBe(1);
  });

  test('unseeded calls, other arguments or another model identity run', async () => {
    const runtime = await open();
    const session = runtime.openSession('cli');
    const before = counter.runs;
    await session.executeScript(paint({}));
    await session.executeScript(paint({}));
    await session.executeScript(paint({ seed: 3, tone: 10 }));
    counter.identity = 'model-b';
    await session.executeScript(paint({ seed: 3 }));
    counter.identity = 'model-a';
    expect(counter.runs).toBe(before + 4);
  });

  test("another version of the plugin never answers from an older version's results", async () => {
    await (await open()).openSession('cli').executeScript(paint({ seed: 5 }));
    const before = counter.runs;
    await (await open()).openSession('cli').executeScript(paint({ seed: 5 }));
    expect(counter.runs).toBe(before);
    await (await open(undefined, '1.0.1')).openSession('cli').executeScript(paint({ seed: 5 }));
    expect(counter.runs).toBe(before + 1);
  });

  test('resultCache: false (viwo run --no-cache) always runs', async () => {
    const runtime = await open(false);
    const before = counter.runs;
    await runtime.openSession('cli').executeScript(paint({ seed: 3 }));
    expect(counter.runs).toBe(before + 1);
  });
});
