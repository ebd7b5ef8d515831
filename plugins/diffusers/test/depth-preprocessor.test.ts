import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, type ImageValue, type Runtime } from '@viwo/core';
import { GraphBuilder } from '@viwo/onnx';
import { ScriptError } from '@viwo/script';
import { createDiffusersPlugin } from '../src/diffusers-plugin.ts';
import { DepthPreprocessor } from '../src/preprocessors/depth-preprocessor.ts';

/**
 * A stand-in "depth model" with a real depth export's contract (one float [1, 3, H, W] input named
 * `pixel_values`, a [1, H, W] `predicted_depth` output): depth = mean of the normalised channels,
 * so brighter pixels read as nearer and the expected map is known.
 */
function tinyDepthModel(): Uint8Array {
  const graph = new GraphBuilder('tiny_depth');
  const pixels = graph.input('pixel_values', 'float32', [1, 3, 'height', 'width']);
  const depth = graph.op('ReduceMean', [pixels], { axes: [1], keepdims: 0 });
  graph.output('predicted_depth', depth, 'float32', [1, 'height', 'width']);
  return graph.toBytes();
}

/** 64×48: left half black, right half white. */
function halves() {
  const width = 64;
  const height = 48;
  const data = new Uint8Array(width * height * 3);
  for (let row = 0; row < height; row++)
    data.fill(255, (row * width + 32) * 3, (row * width + width) * 3);
  return { data, width, height, channels: 3 as const };
}

let dataDir: string;
let modelPath: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'viwo-depth-'));
  modelPath = join(dataDir, 'depth.onnx');
  await writeFile(modelPath, tinyDepthModel());
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

test('a configured depth model gives a normalised map of the input size', async () => {
  const depth = await DepthPreprocessor.load(modelPath);
  const map = await depth.run(halves());
  await depth.dispose();
  expect([map.width, map.height, map.channels]).toEqual([64, 48, 3]);
  const at = (column: number, row: number) => map.data[(row * 64 + column) * 3]!;
  expect(at(4, 24)).toBe(0);
  expect(at(60, 24)).toBe(255);
});

test('a model without a [1, 3, H, W] input is refused naming its inputs', async () => {
  const graph = new GraphBuilder('not_depth');
  const ids = graph.input('input_ids', 'int64', [1, 77]);
  graph.output('out', ids, 'int64', [1, 77]);
  const path = join(dataDir, 'not-depth.onnx');
  await writeFile(path, graph.toBytes());
  await expect(DepthPreprocessor.load(path)).rejects.toThrow(/input_ids int64/);
  await expect(DepthPreprocessor.load(join(dataDir, 'missing.onnx'))).rejects.toThrow(
    /missing\.onnx/,
  );
});

describe('depth in controlnet.generate', () => {
  let withDepth: Runtime;
  let withoutDepth: Runtime;
  beforeAll(async () => {
    withDepth = await createRuntime({
      dataDir: join(dataDir, 'with'),
      plugins: [createDiffusersPlugin({ depthModel: modelPath })],
    });
    withoutDepth = await createRuntime({
      dataDir: join(dataDir, 'without'),
      plugins: [createDiffusersPlugin()],
    });
  });
  afterAll(async () => {
    await withDepth.dispose();
    await withoutDepth.dispose();
  });

  const typeOptions = (runtime: Runtime) => {
    const controlnet = runtime
      .capabilityMetadata()
      .find((entry) => entry.type === 'controlnet.generate');
    const preprocess = controlnet?.methods.find((method) => method.name === 'preprocess');
    return preprocess?.params.find((param) => param.name === 'type')?.options;
  };

  test('is offered only when configured, and runs through preprocess and apply', async () => {
    expect(typeOptions(withDepth)).toContain('depth');
    expect(typeOptions(withoutDepth)).not.toContain('depth');

    const session = withDepth.openSession('local');
    const image = await withDepth.images.putRaw(halves());
    const controlnet = ['get_capability', 'controlnet.generate'];
    const map = (
      await session.executeScript(['std.call_method', controlnet, 'preprocess', image, 'depth', {}])
    ).result as ImageValue;
    expect(map).toMatchObject({ width: 64, height: 48 });
    const generated = (
      await session.executeScript([
        'std.call_method',
        controlnet,
        'apply',
        image,
        'a room',
        'depth',
        1,
        { seed: 1, steps: 2 },
      ])
    ).result as ImageValue;
    expect(generated).toMatchObject({ width: 64, height: 48 });
    session.close();

    const plain = withoutDepth.openSession('local');
    const refused = await plain
      .executeScript([
        'std.call_method',
        controlnet,
        'preprocess',
        await withoutDepth.images.putRaw(halves()),
        'depth',
        {},
      ])
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ScriptError);
    expect(String((refused as ScriptError).message)).toMatch(/depth/);
    plain.close();
  });
});
