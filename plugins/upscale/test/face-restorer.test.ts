import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageValue } from '@viwo/core';
import { GraphBuilder } from '@viwo/onnx';
import { createUpscalePlugin } from '../src/plugin.ts';
import { callContext } from './support/call-context.ts';
import { MemoryImageStore } from './support/memory-image-store.ts';

let directory: string;

/** A stand-in restoration model of the GFPGAN shape: [1,3,S,S] in −1…1 → negated (inverts colours). */
async function writeInvertingFaceModel(path: string, side: number, channels = 3): Promise<void> {
  const graph = new GraphBuilder('invert_face');
  graph.input('face', 'float32', [1, channels, side, side]);
  graph.output('restored', graph.op('Neg', ['face']), 'float32', [1, channels, side, side]);
  await writeFile(path, graph.toBytes());
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'upscale-face-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('face restoration', () => {
  test('registers restoreFaces only when a model is configured, and runs it', async () => {
    const modelPath = join(directory, 'face.onnx');
    await writeInvertingFaceModel(modelPath, 16);
    const images = new MemoryImageStore();
    const plugin = createUpscalePlugin({ models: [], faceRestorationModel: modelPath });
    await plugin.init({
      dataDir: directory,
      images,
      availableCapabilityTypes: () => [],
      log: () => {},
    });
    const capability = plugin.capabilities()[0]!;
    expect(Object.keys(capability.methods)).toEqual(['upscaleTraditional', 'restoreFaces']);

    const grey = new Uint8Array(16 * 16 * 3).fill(40);
    const face: ImageValue = await images.putRaw({
      data: grey,
      width: 16,
      height: 16,
      channels: 3,
    });
    const restored = (await capability.methods.restoreFaces!.run(
      callContext(images),
      face,
    )) as ImageValue;
    const raw = await images.getRaw(restored, 3);
    expect([raw.width, raw.height]).toEqual([16, 16]);
    expect(raw.data.every((value) => value === 215)).toBe(true);
    expect(JSON.parse((await images.getText(restored.$image)).viwo!)).toEqual({
      kind: 'face-restoration',
      model: 'face.onnx',
    });
    await plugin.dispose();
  });

  test('a model of the wrong shape or a missing file fails init clearly', async () => {
    const wrong = join(directory, 'wrong.onnx');
    await writeInvertingFaceModel(wrong, 16, 4);
    const init = (path: string) =>
      createUpscalePlugin({ models: [], faceRestorationModel: path }).init({
        dataDir: directory,
        images: new MemoryImageStore(),
        availableCapabilityTypes: () => [],
        log: () => {},
      });
    await expect(init(wrong)).rejects.toThrow(/must take one \[1, 3, S, S\] input/);
    await expect(init(join(directory, 'absent.onnx'))).rejects.toThrow(/could not be loaded/);
  });
});
