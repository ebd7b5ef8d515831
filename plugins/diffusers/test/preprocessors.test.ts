import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, type ImageValue, type Runtime } from '@viwo/core';
import { ScriptError } from '@viwo/script';
import { createDiffusersPlugin } from '../src/diffusers-plugin.ts';
import { preprocessImage } from '../src/preprocessors/preprocess-image.ts';

/** A 64×48 image: black with a white 20×20 square at (20, 14). */
function square() {
  const width = 64;
  const height = 48;
  const data = new Uint8Array(width * height * 3);
  for (let row = 14; row < 34; row++)
    for (let column = 20; column < 40; column++)
      data.fill(255, (row * width + column) * 3, (row * width + column) * 3 + 3);
  return { data, width, height, channels: 3 as const };
}

describe('preprocessors', () => {
  test('canny: a binary edge map of the input size with edges on the square outline only', () => {
    const edges = preprocessImage(square(), 'canny');
    expect([edges.width, edges.height]).toEqual([64, 48]);
    const value = (row: number, column: number) => edges.data[(row * 64 + column) * 3]!;
    expect(new Set(edges.data)).toEqual(new Set([0, 255]));
    const near = (row: number, column: number) =>
      [-1, 0, 1].some((dr) => [-1, 0, 1].some((dc) => value(row + dr, column + dc) === 255));
    expect(near(14, 30)).toBe(true);
    expect(near(24, 20)).toBe(true);
    expect(value(24, 30)).toBe(0);
    expect(value(2, 2)).toBe(0);
    const strict = preprocessImage(square(), 'canny', {
      low_threshold: 1010,
      high_threshold: 1020,
    });
    expect(strict.data.every((v) => v === 0)).toBe(true);
  });
  test('scribble and softedge produce lines of the input size', () => {
    const scribble = preprocessImage(square(), 'scribble', { threshold: 100 });
    expect(scribble.data[0]).toBe(255);
    expect(scribble.data[(24 * 64 + 30) * 3]).toBe(0);
    const soft = preprocessImage(square(), 'softedge');
    expect(soft.data[(24 * 64 + 30) * 3]).toBeLessThan(soft.data[(14 * 64 + 30) * 3]! + 1);
    expect(Math.max(...soft.data)).toBeGreaterThan(100);
  });
  test('types are checked at compile time; low above high is refused', () => {
    // @ts-expect-error: depth is model-backed, not a model-free preprocessor
    const modelBacked = () => preprocessImage(square(), 'depth');
    expect(typeof modelBacked).toBe('function');
    expect(() =>
      preprocessImage(square(), 'canny', { low_threshold: 300, high_threshold: 200 }),
    ).toThrow(/low_threshold/);
  });
});

describe('controlnet.generate.preprocess through the runtime', () => {
  let dataDir: string;
  let runtime: Runtime;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'viwo-controlnet-'));
    runtime = await createRuntime({ dataDir, plugins: [createDiffusersPlugin()] });
  });
  afterAll(async () => {
    await runtime.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });
  test('returns a stored control image of the input size', async () => {
    const session = runtime.openSession('local');
    const image = await runtime.images.putRaw(square());
    const result = (
      await session.executeScript([
        'std.call_method',
        ['get_capability', 'controlnet.generate'],
        'preprocess',
        image,
        'canny',
        {},
      ])
    ).result as ImageValue;
    expect(result).toMatchObject({ width: 64, height: 48 });
    const bad = await session
      .executeScript([
        'std.call_method',
        ['get_capability', 'controlnet.generate'],
        'preprocess',
        image,
        'openpose_full',
        {},
      ])
      .catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(ScriptError);
    session.close();
  });
});

describe('controlnet.generate.apply on the tiny ControlNet model', () => {
  let dataDir: string;
  let runtime: Runtime;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'viwo-controlnet-apply-'));
    // Repeats here check determinism, so they must run (result-cache.test.ts covers the cache).
    runtime = await createRuntime({
      dataDir,
      plugins: [createDiffusersPlugin()],
      resultCache: false,
    });
  });
  afterAll(async () => {
    await runtime.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });
  const apply = (session: ReturnType<Runtime['openSession']>, ...args: unknown[]) =>
    session.executeScript([
      'std.call_method',
      ['get_capability', 'controlnet.generate'],
      'apply',
      ...args,
    ]);

  test('one and two controls generate deterministically and differ; strength matters', async () => {
    const session = runtime.openSession('local');
    const metadata = runtime
      .capabilityMetadata()
      .find((entry) => entry.type === 'controlnet.generate')!;
    expect(metadata.methods.map((method) => method.name)).toContain('apply');
    const edges = await runtime.images.putRaw(square());
    const other = await runtime.images.putRaw({
      ...square(),
      data: square().data.map((value, index) => (index % 7 === 0 ? 255 - value : value)),
    });
    const options = { seed: 3, steps: 3 };
    const one = (await apply(session, edges, 'a house', 'canny', 1, options)).result as ImageValue;
    const again = (await apply(session, edges, 'a house', 'canny', 1, options))
      .result as ImageValue;
    expect(one).toMatchObject({ width: 64, height: 48 });
    expect(again.$image).toBe(one.$image);
    const two = (
      await apply(session, edges, 'a house', 'canny', 1, {
        ...options,
        controls: [{ image: other, type: 'scribble', strength: 1 }],
      })
    ).result as ImageValue;
    expect(two.$image).not.toBe(one.$image);
    const weak = (await apply(session, edges, 'a house', 'canny', 0, options)).result as ImageValue;
    expect(weak.$image).not.toBe(one.$image);
    const unknown = await apply(session, edges, 'a house', 'depth', 1, options).catch(
      (error: unknown) => error,
    );
    expect((unknown as ScriptError).message).toMatch(/depth/);
    session.close();
  });
});
