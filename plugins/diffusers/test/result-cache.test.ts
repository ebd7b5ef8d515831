/**
 * The result cache over the real diffusers plugin (tiny ONNX models on onnxruntime): seeded
 * inpaint, outpaint, ControlNet and regional calls repeat from the cache without entering the
 * plugin's `run`; any changed argument or model runs; failed and cancelled runs are not kept; a
 * runtime without the cache (`viwo run --no-cache`) runs every call and gets the same bytes.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, type ImageValue, type Runtime, type Session } from '@viwo/core';
import { type CountedPlugin, countMethodRuns } from '@viwo/core/testing';
import { GraphBuilder } from '@viwo/onnx';
import type { JobProgress } from '@viwo/protocol';
import type { ScriptError } from '@viwo/script';
import { createDiffusersPlugin } from '../src/diffusers-plugin.ts';

let dataDir: string;
let runtime: Runtime;
let counted: CountedPlugin;
let session: Session;
let base: ImageValue;
let mask: ImageValue;
let otherMask: ImageValue;
let edges: ImageValue;
let otherEdges: ImageValue;
const progress: JobProgress[] = [];

const call = (target: Session, type: string, method: string, ...args: unknown[]) =>
  target.executeScript(['std.call_method', ['get_capability', type], method, ...args]);
const image = async (target: Session, type: string, method: string, ...args: unknown[]) =>
  (await call(target, type, method, ...args)).result as ImageValue;

/** A 64×64 RGB image: black with a white rectangle (the mask / control shape). */
function rectangle(left: number, top: number, width: number, height: number) {
  const data = new Uint8Array(64 * 64 * 3);
  for (let row = top; row < top + height; row++)
    for (let column = left; column < left + width; column++)
      data.fill(255, (row * 64 + column) * 3, (row * 64 + column) * 3 + 3);
  return { data, width: 64, height: 64, channels: 3 as const };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'viwo-diffusers-result-cache-'));
  counted = countMethodRuns(createDiffusersPlugin());
  runtime = await createRuntime({ dataDir, plugins: [counted.plugin] });
  session = runtime.openSession('local');
  session.setNotifier((method, params) => {
    if (method === 'job.progress') progress.push(params as JobProgress);
  });
  base = await image(session, 'diffusers.generate', 'textToImage', 'a harbour', {
    seed: 3,
    steps: 2,
    width: 64,
    height: 64,
  });
  mask = await runtime.images.putRaw(rectangle(16, 16, 32, 32));
  otherMask = await runtime.images.putRaw(rectangle(8, 8, 24, 40));
  edges = await runtime.images.putRaw(rectangle(20, 14, 20, 20));
  otherEdges = await runtime.images.putRaw(rectangle(10, 30, 30, 12));
});
afterAll(async () => {
  session.close();
  await runtime.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

const INPAINT = 'diffusers.inpaint';
const CONTROLNET = 'controlnet.generate';
const inpaintOptions = { seed: 5, steps: 2, strength: 1 };

describe('result cache: diffusers.inpaint', () => {
  test('a repeated seeded inpaint is answered from the cache, with progress and history', async () => {
    const first = await call(session, INPAINT, 'inpaint', base, mask, 'a boat', inpaintOptions);
    expect(counted.runs(INPAINT, 'inpaint')).toBe(1);
    progress.length = 0;
    const again = await call(session, INPAINT, 'inpaint', base, mask, 'a boat', {
      steps: 2,
      strength: 1,
      seed: 5,
    });
    expect(counted.runs(INPAINT, 'inpaint')).toBe(1);
    expect((again.result as ImageValue).$image).toBe((first.result as ImageValue).$image);
    expect(again.images.map((entry) => entry.$image)).toEqual([
      (first.result as ImageValue).$image,
    ]);
    // Like a real run: the job reports completion and history records the call and its seed.
    const last = progress.filter((report) => report.job_id === again.job_id).at(-1);
    expect(last?.fraction).toBe(1);
    const entry = runtime.history.get(again.job_id);
    expect(entry?.params.map((recorded) => recorded.method)).toEqual(['inpaint']);
    expect(entry?.seeds).toEqual([5]);
  });

  test('another image, mask, strength, seed or model runs; no seed always runs', async () => {
    const before = counted.runs(INPAINT, 'inpaint');
    const otherBase = await image(session, 'diffusers.generate', 'textToImage', 'a bay', {
      seed: 4,
      steps: 2,
      width: 64,
      height: 64,
    });
    const variants: [ImageValue, ImageValue, Record<string, unknown>][] = [
      [otherBase, mask, inpaintOptions],
      [base, otherMask, inpaintOptions],
      [base, mask, { ...inpaintOptions, strength: 0.6 }],
      [base, mask, { ...inpaintOptions, seed: 6 }],
      [base, mask, { ...inpaintOptions, model_id: 'tiny-sd15-inpaint' }],
      [base, mask, { steps: 2 }],
      [base, mask, { steps: 2 }],
    ];
    const hashes = new Set<string>();
    for (const [source, region, options] of variants) {
      hashes.add(
        (await image(session, INPAINT, 'inpaint', source, region, 'a boat', options)).$image,
      );
    }
    expect(counted.runs(INPAINT, 'inpaint')).toBe(before + variants.length);
    expect(hashes.size).toBeGreaterThanOrEqual(6);
  });

  test('outpaint repeats from the cache; another direction or width runs', async () => {
    const first = await image(session, INPAINT, 'outpaint', base, 'right', 16, 'sea', {
      seed: 2,
      steps: 2,
    });
    const again = await image(session, INPAINT, 'outpaint', base, 'right', 16, 'sea', {
      seed: 2,
      steps: 2,
    });
    expect(again.$image).toBe(first.$image);
    expect(counted.runs(INPAINT, 'outpaint')).toBe(1);
    await call(session, INPAINT, 'outpaint', base, 'left', 16, 'sea', { seed: 2, steps: 2 });
    await call(session, INPAINT, 'outpaint', base, 'right', 24, 'sea', { seed: 2, steps: 2 });
    expect(counted.runs(INPAINT, 'outpaint')).toBe(3);
  });

  test('failed and cancelled runs are not cached', async () => {
    const small = await runtime.images.putRaw({
      data: new Uint8Array(8 * 8 * 3),
      width: 8,
      height: 8,
      channels: 3,
    });
    const before = counted.runs(INPAINT, 'inpaint');
    for (let attempt = 0; attempt < 2; attempt++) {
      const failure = await call(session, INPAINT, 'inpaint', base, small, 'x', {
        seed: 1,
      }).catch((error: unknown) => error);
      expect((failure as ScriptError).message).toContain('mask is 8×8');
    }
    expect(counted.runs(INPAINT, 'inpaint')).toBe(before + 2);

    const options = { seed: 11, steps: 4 };
    const cancelling = runtime.openSession('local');
    cancelling.setNotifier((method, params) => {
      if (method === 'job.progress') cancelling.cancelJob((params as JobProgress).job_id);
    });
    const cancelled = await call(cancelling, INPAINT, 'inpaint', base, mask, 'a cat', options)
      .then(() => undefined)
      .catch((error: unknown) => error);
    expect((cancelled as ScriptError).code).toBe('Cancelled');
    cancelling.close();
    await call(session, INPAINT, 'inpaint', base, mask, 'a cat', options);
    expect(counted.runs(INPAINT, 'inpaint')).toBe(before + 4);
  });
});

describe('result cache: controlnet.generate.apply and regional prompts', () => {
  const controlOptions = { seed: 3, steps: 2, preprocess: false };

  test('a repeated seeded apply is answered from the cache; control changes run', async () => {
    const run = (source: ImageValue, strength: number, options: Record<string, unknown>) =>
      image(session, CONTROLNET, 'apply', source, 'a house', 'canny', strength, options);
    const first = await run(edges, 1, controlOptions);
    expect((await run(edges, 1, controlOptions)).$image).toBe(first.$image);
    expect(counted.runs(CONTROLNET, 'apply')).toBe(1);
    await run(otherEdges, 1, controlOptions);
    await run(edges, 0.5, controlOptions);
    const extra = { image: otherEdges, type: 'canny', strength: 1 };
    await run(edges, 1, { ...controlOptions, controls: [extra] });
    await run(edges, 1, { ...controlOptions, controls: [{ ...extra, image: edges }] });
    await run(edges, 1, { ...controlOptions, preprocess: true });
    expect(counted.runs(CONTROLNET, 'apply')).toBe(6);
  });

  test('pose preprocessing (TF.js backend picked at run time) is never cached', async () => {
    const apply = counted.plugin
      .capabilities()
      .find((definition) => definition.type === CONTROLNET)!.methods.apply!;
    const options = (type: string, preprocess: boolean) => ({
      seed: 1,
      preprocess,
      controls: [{ image: edges, type, strength: 1 }],
    });
    const identity = (type: string, preprocess: boolean) =>
      apply.cacheIdentity!([edges, 'x', 'canny', 1, options(type, preprocess)]);
    expect(await identity('pose', true)).toBeUndefined();
    expect(await identity('pose', false)).toBeString();
    expect(await identity('canny', true)).toBeString();
  });

  test('regions: a repeat hits; another region mask runs', async () => {
    const regional = (region: ImageValue) =>
      image(session, 'diffusers.generate', 'textToImage', 'a field', {
        seed: 8,
        steps: 2,
        width: 64,
        height: 64,
        regions: [{ mask: region, prompt: 'a red barn' }],
      });
    const before = counted.runs('diffusers.generate', 'textToImage');
    const first = await regional(mask);
    expect((await regional(mask)).$image).toBe(first.$image);
    await regional(otherMask);
    expect(counted.runs('diffusers.generate', 'textToImage')).toBe(before + 2);
  });

  test('changing the ControlNet weights (same base model) runs again', async () => {
    const before = counted.runs(CONTROLNET, 'apply');
    // An unknown protobuf field (number 1000, varint 1) appended to the ControlNet's ModelProto:
    // new file bytes that still load, so only the folder hash can tell the models apart.
    await appendFile(
      join(dataDir, 'models', 'diffusers', 'tiny-sd15-controlnet', 'controlnet', 'model.onnx'),
      new Uint8Array([0xc0, 0x3e, 0x01]),
    );
    await call(session, CONTROLNET, 'apply', edges, 'a house', 'canny', 1, controlOptions);
    expect(counted.runs(CONTROLNET, 'apply')).toBe(before + 1);
  });
});

describe('result cache: depth preprocessing', () => {
  /** A depth-export-shaped model (`pixel_values` [1,3,H,W] → [1,H,W]) reducing channels by `op`. */
  async function depthModel(path: string, op: 'ReduceMean' | 'ReduceMax'): Promise<void> {
    const graph = new GraphBuilder(`depth_${op}`);
    const pixels = graph.input('pixel_values', 'float32', [1, 3, 'height', 'width']);
    const depth = graph.op(op, [pixels], { axes: [1], keepdims: 0 });
    graph.output('predicted_depth', depth, 'float32', [1, 'height', 'width']);
    await writeFile(path, graph.toBytes());
  }

  test('depth preprocess and depth-preprocessed apply repeat from the cache; another depth model runs', async () => {
    const run = async (op: 'ReduceMean' | 'ReduceMax') => {
      const path = join(dataDir, `depth-${op}.onnx`);
      await depthModel(path, op);
      const withDepth = countMethodRuns(createDiffusersPlugin({ depthModel: path }));
      const own = await createRuntime({ dataDir, plugins: [withDepth.plugin] });
      try {
        const target = own.openSession('local');
        const hashes: string[] = [];
        for (let repeat = 0; repeat < 2; repeat++) {
          hashes.push((await image(target, CONTROLNET, 'preprocess', base, 'depth', {})).$image);
          hashes.push(
            (
              await image(target, CONTROLNET, 'apply', base, 'a room', 'depth', 1, {
                seed: 1,
                steps: 2,
              })
            ).$image,
          );
        }
        target.close();
        const runs = [
          withDepth.runs(CONTROLNET, 'preprocess'),
          withDepth.runs(CONTROLNET, 'apply'),
        ];
        return { hashes, runs };
      } finally {
        await own.dispose();
      }
    };
    const mean = await run('ReduceMean');
    expect(mean.runs).toEqual([1, 1]);
    expect(mean.hashes.slice(2)).toEqual(mean.hashes.slice(0, 2));
    const max = await run('ReduceMax');
    expect(max.runs).toEqual([1, 1]);
    expect(max.hashes[0]).not.toBe(mean.hashes[0]!);
  });
});

describe('result cache off (viwo run --no-cache)', () => {
  test('every call runs and gives the bytes the cache answered (the calls are deterministic)', async () => {
    const fresh = countMethodRuns(createDiffusersPlugin());
    const uncached = await createRuntime({
      dataDir,
      plugins: [fresh.plugin],
      resultCache: false,
    });
    try {
      const other = uncached.openSession('local');
      const pairs: [string, string, unknown[]][] = [
        [INPAINT, 'inpaint', [base, mask, 'a boat', inpaintOptions]],
        [INPAINT, 'outpaint', [base, 'right', 16, 'sea', { seed: 2, steps: 2 }]],
        [
          CONTROLNET,
          'apply',
          [edges, 'a house', 'canny', 1, { seed: 3, steps: 2, preprocess: false }],
        ],
      ];
      for (const [type, method, args] of pairs) {
        const cached = await image(session, type, method, ...args);
        const runsBefore = counted.runs(type, method);
        const first = await image(other, type, method, ...args);
        const second = await image(other, type, method, ...args);
        expect([first.$image, second.$image]).toEqual([cached.$image, cached.$image]);
        expect(fresh.runs(type, method)).toBe(2);
        expect(counted.runs(type, method)).toBe(runsBefore);
      }
      other.close();
    } finally {
      await uncached.dispose();
    }
  });
});
