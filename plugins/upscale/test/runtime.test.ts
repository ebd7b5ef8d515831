import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, type ImageValue } from '@viwo/core';
import { createUpscalePlugin } from '../src/plugin.ts';

// A real runtime (core + script interpreter + file image store): the path the server and
// `viwo run` take.
describe('upscale through a real runtime', () => {
  let dataDir: string;
  let runtime: Awaited<ReturnType<typeof createRuntime>>;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'upscale-runtime-'));
    runtime = await createRuntime({
      dataDir,
      plugins: [createUpscalePlugin({ threads: 2 })],
      // Repeats here check determinism, so they must run (result-cache.test.ts covers the cache).
      resultCache: false,
    });
  });

  afterAll(async () => {
    await runtime.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('a script upscales an uploaded image; the PNG carries model/scale/tiling; same input, same hash', async () => {
    const pixels = new Uint8Array(40 * 36 * 3).map((_, index) => (index * 29 + (index >> 7)) % 256);
    const upload = await runtime.images.putRaw({
      data: pixels,
      width: 40,
      height: 36,
      channels: 3,
    });
    const session = runtime.openSession('upscale-test');
    const progress: unknown[] = [];
    session.setNotifier((method, params) => {
      if (method === 'job.progress') progress.push(params);
    });
    const script = [
      'std.call_method',
      ['get_capability', 'upscale'],
      'upscale',
      upload,
      { model: 'esrgan-slim', factor: 2, tile_size: 32 },
    ];
    const first = await session.executeScript(script);
    const image = first.result as ImageValue;
    expect([image.width, image.height]).toEqual([80, 72]);
    expect(progress.length).toBeGreaterThanOrEqual(4);
    const text = await runtime.images.getText(image.$image);
    expect(JSON.parse(text.viwo!)).toMatchObject({
      model: 'esrgan-slim',
      scale: 2,
      tiling: { tile_size: 32 },
    });
    const second = await session.executeScript(script);
    expect((second.result as ImageValue).$image).toBe(image.$image);
    session.close();
  });

  test('bad arguments come back as script errors with codes', async () => {
    const upload = await runtime.images.putRaw({
      data: new Uint8Array(16 * 16 * 3),
      width: 16,
      height: 16,
      channels: 3,
    });
    const session = runtime.openSession('upscale-errors');
    const call = (options: unknown) =>
      session.executeScript([
        'std.call_method',
        ['get_capability', 'upscale'],
        'upscale',
        upload,
        options,
      ]);
    await expect(call({ model: 'default', factor: 4 })).rejects.toMatchObject({
      code: 'InvalidArgument',
    });
    await expect(call({ model: 'esrgan-nope' })).rejects.toMatchObject({
      code: 'InvalidArgument',
    });
    session.close();
  });
});
