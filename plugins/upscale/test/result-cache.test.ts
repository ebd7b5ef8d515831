/**
 * The result cache over the real upscale plugin (ESRGAN weights from `@upscalerjs/*`, converted
 * and run on onnxruntime): a repeated upscale is answered without entering the plugin's `run`;
 * another image, model, factor or tiling runs; failed and cancelled runs are not kept; without
 * the cache (`viwo run --no-cache`) every call runs and gives the same bytes. The weights hash in
 * the cache identity is memoised by the files' path, size and mtime.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, type ImageValue, type Runtime, type Session } from '@viwo/core';
import { type CountedPlugin, countMethodRuns } from '@viwo/core/testing';
import { GraphBuilder } from '@viwo/onnx';
import type { JobProgress } from '@viwo/protocol';
import type { ScriptError } from '@viwo/script';
import { weightsSha256 } from '../src/converter/weights-hash.ts';
import { createUpscalePlugin } from '../src/plugin.ts';

let dataDir: string;
let runtime: Runtime;
let counted: CountedPlugin;
let session: Session;
let photo: ImageValue;
let other: ImageValue;
const progress: JobProgress[] = [];
// 64×64 ×8 = 512×512 is over this bound, so that call fails inside the plugin's run.
const MAX_OUTPUT_PIXELS = 200_000;

const upscale = async (target: Session, image: ImageValue, options: Record<string, unknown>) =>
  (
    await target.executeScript([
      'std.call_method',
      ['get_capability', 'upscale'],
      'upscale',
      image,
      options,
    ])
  ).result as ImageValue;
const runs = () => counted.runs('upscale', 'upscale');

function pattern(width: number, height: number, salt: number) {
  const data = new Uint8Array(width * height * 3).map(
    (_, index) => (index * 29 + salt * 7 + (index >> 7)) % 256,
  );
  return { data, width, height, channels: 3 as const };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'upscale-result-cache-'));
  counted = countMethodRuns(
    createUpscalePlugin({ threads: 2, maxOutputPixels: MAX_OUTPUT_PIXELS }),
  );
  runtime = await createRuntime({ dataDir, plugins: [counted.plugin] });
  session = runtime.openSession('local');
  session.setNotifier((method, params) => {
    if (method === 'job.progress') progress.push(params as JobProgress);
  });
  photo = await runtime.images.putRaw(pattern(40, 36, 1));
  other = await runtime.images.putRaw(pattern(40, 36, 2));
});
afterAll(async () => {
  session.close();
  await runtime.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

describe('result cache: upscale.upscale', () => {
  const slim = { model: 'esrgan-slim', factor: 2 };

  test('a repeated upscale is answered from the cache, with progress and history', async () => {
    const first = await upscale(session, photo, slim);
    expect(runs()).toBe(1);
    progress.length = 0;
    const again = await session.executeScript([
      'std.call_method',
      ['get_capability', 'upscale'],
      'upscale',
      photo,
      { factor: 2, model: 'esrgan-slim' },
    ]);
    expect(runs()).toBe(1);
    expect((again.result as ImageValue).$image).toBe(first.$image);
    expect(again.images.map((image) => image.$image)).toEqual([first.$image]);
    expect(progress.filter((report) => report.job_id === again.job_id).at(-1)?.fraction).toBe(1);
    expect(runtime.history.get(again.job_id)?.params).toMatchObject([
      { type: 'upscale', method: 'upscale' },
    ]);
  });

  test('another image, factor, model or tile size runs', async () => {
    const before = runs();
    const variants: [ImageValue, Record<string, unknown>][] = [
      [other, slim],
      [photo, { ...slim, factor: 3 }],
      [photo, { ...slim, model: 'esrgan-medium' }],
      [photo, { ...slim, tile_size: 32 }],
    ];
    const hashes = new Set<string>();
    for (const [image, options] of variants)
      hashes.add((await upscale(session, image, options)).$image);
    expect(runs()).toBe(before + variants.length);
    expect(hashes.size).toBe(variants.length);
  });

  test('failed and cancelled upscales are not cached', async () => {
    const large = await runtime.images.putRaw(pattern(64, 64, 3));
    const before = runs();
    for (let attempt = 0; attempt < 2; attempt++) {
      const failure = await upscale(session, large, { model: 'esrgan-slim', factor: 8 }).catch(
        (error: unknown) => error,
      );
      expect((failure as ScriptError).message).toContain('over the limit');
    }
    expect(runs()).toBe(before + 2);

    const tiled = { ...slim, tile_size: 32 };
    const cancelling = runtime.openSession('local');
    cancelling.setNotifier((method, params) => {
      if (method === 'job.progress') cancelling.cancelJob((params as JobProgress).job_id);
    });
    const cancelled = await upscale(cancelling, large, tiled).catch((error: unknown) => error);
    expect((cancelled as ScriptError).code).toBe('Cancelled');
    cancelling.close();
    await upscale(session, large, tiled);
    expect(runs()).toBe(before + 4);
  });

  test('without the cache every upscale runs and gives the bytes the cache answered', async () => {
    const fresh = countMethodRuns(createUpscalePlugin({ threads: 2 }));
    const uncached = await createRuntime({ dataDir, plugins: [fresh.plugin], resultCache: false });
    try {
      const direct = uncached.openSession('local');
      const cached = await upscale(session, photo, slim);
      const before = runs();
      const first = await upscale(direct, photo, slim);
      const second = await upscale(direct, photo, slim);
      expect([first.$image, second.$image]).toEqual([cached.$image, cached.$image]);
      expect(fresh.runs('upscale', 'upscale')).toBe(2);
      expect(runs()).toBe(before);
      direct.close();
    } finally {
      await uncached.dispose();
    }
  });
});

describe('result cache: upscale.restoreFaces', () => {
  /** A 16×16 restoration model of the GFPGAN shape applying `op` (Neg inverts, Relu clips). */
  async function faceModel(path: string, op: 'Neg' | 'Relu'): Promise<void> {
    const graph = new GraphBuilder(`face_${op}`);
    graph.input('face', 'float32', [1, 3, 16, 16]);
    graph.output('restored', graph.op(op, ['face']), 'float32', [1, 3, 16, 16]);
    await writeFile(path, graph.toBytes());
  }

  test('repeats hit; another model file or image runs; without the cache it runs', async () => {
    const negPath = join(dataDir, 'face-neg.onnx');
    const reluPath = join(dataDir, 'face-relu.onnx');
    await faceModel(negPath, 'Neg');
    await faceModel(reluPath, 'Relu');
    const restore = async (path: string, resultCache: boolean, images: ImageValue[]) => {
      const faces = countMethodRuns(
        createUpscalePlugin({ models: [], faceRestorationModel: path }),
      );
      const own = await createRuntime({ dataDir, plugins: [faces.plugin], resultCache });
      try {
        const target = own.openSession('local');
        const hashes: string[] = [];
        for (const image of images) {
          const script = ['std.call_method', ['get_capability', 'upscale'], 'restoreFaces', image];
          hashes.push(((await target.executeScript(script)).result as ImageValue).$image);
        }
        target.close();
        return { hashes, runs: faces.runs('upscale', 'restoreFaces') };
      } finally {
        await own.dispose();
      }
    };
    const neg = await restore(negPath, true, [photo, photo, other]);
    expect(neg.runs).toBe(2);
    expect(neg.hashes[1]).toBe(neg.hashes[0]!);
    const relu = await restore(reluPath, true, [photo]);
    expect(relu.runs).toBe(1);
    expect(relu.hashes[0]).not.toBe(neg.hashes[0]!);
    const fresh = await restore(negPath, false, [photo, photo]);
    expect(fresh).toEqual({ hashes: [neg.hashes[0]!, neg.hashes[0]!], runs: 2 });
  });
});

describe('weights hash', () => {
  test('memoised by path, size and mtime: recomputed only when one of them changes', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'upscale-weights-hash-'));
    try {
      const modelJson = join(folder, 'model.json');
      const shard = join(folder, 'group1-shard1of1.bin');
      await writeFile(
        modelJson,
        JSON.stringify({ weightsManifest: [{ paths: ['group1-shard1of1.bin'] }] }),
      );
      await writeFile(shard, new Uint8Array([1, 2, 3, 4]));
      // Whole seconds, so setting the same mtime again reproduces it exactly.
      const when = 1_700_000_000;
      await utimes(shard, when, when);
      const first = await weightsSha256(modelJson);
      // Same size and mtime with other bytes: the memoised hash answers (the file is not read).
      await writeFile(shard, new Uint8Array([9, 9, 9, 9]));
      await utimes(shard, when, when);
      expect(await weightsSha256(modelJson)).toBe(first);
      // A new mtime: hashed again, and the new bytes show.
      await utimes(shard, when, when + 5);
      const second = await weightsSha256(modelJson);
      expect(second).not.toBe(first);
      await writeFile(shard, new Uint8Array([1, 2, 3, 4, 5]));
      expect(await weightsSha256(modelJson)).not.toBe(second);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
