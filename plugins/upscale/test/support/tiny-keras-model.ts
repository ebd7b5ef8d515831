import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSession } from '@viwo/onnx';
import * as ort from 'onnxruntime-node';
import type { KerasModelFiles } from '../../src/converter/keras-layers-model.ts';
import { ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from '../../src/converter/keras-to-onnx.ts';

/** A layer for a tiny test model: class, name, config, and the layers it reads. */
export interface TinyLayer {
  className: string;
  name: string;
  config?: Record<string, unknown>;
  inputs?: string[];
}

/** A weight for a tiny model, in Keras layout (kernels HWIO). */
export interface TinyWeight {
  name: string;
  shape: number[];
  values: number[];
}

/**
 * Builds a TF.js layers-model (`model.json` + one shard) exactly as the TF.js converter lays it
 * out: Keras functional config, weights concatenated in manifest order. The first layer is the
 * RGB InputLayer `in`; the last listed layer is the output.
 */
export function tinyKerasModel(layers: TinyLayer[], weights: TinyWeight[]): KerasModelFiles {
  const allLayers = [
    {
      class_name: 'InputLayer',
      name: 'in',
      config: { name: 'in', batch_input_shape: [null, null, null, 3], dtype: 'float32' },
      inbound_nodes: [],
    },
    ...layers.map((layer) => ({
      class_name: layer.className,
      name: layer.name,
      config: { name: layer.name, ...layer.config },
      inbound_nodes: [(layer.inputs ?? ['in']).map((source) => [source, 0, 0, {}])],
    })),
  ];
  const json = {
    format: 'layers-model',
    modelTopology: {
      model_config: {
        class_name: 'Functional',
        config: {
          name: 'tiny',
          layers: allLayers,
          input_layers: [['in', 0, 0]],
          output_layers: [[allLayers[allLayers.length - 1]!.name, 0, 0]],
        },
      },
    },
    weightsManifest: [
      {
        paths: ['group1-shard1of1.bin'],
        weights: weights.map((weight) => ({
          name: weight.name,
          shape: weight.shape,
          dtype: 'float32',
        })),
      },
    ],
  };
  const shard = new Float32Array(weights.flatMap((weight) => weight.values));
  return {
    modelJson: new TextEncoder().encode(JSON.stringify(json)),
    shards: [new Uint8Array(shard.buffer)],
  };
}

/** Writes a tiny model to `directory` as `model.json` + shard; returns the JSON path. */
export async function writeTinyModel(directory: string, files: KerasModelFiles): Promise<string> {
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, 'model.json'), files.modelJson);
  await writeFile(join(directory, 'group1-shard1of1.bin'), files.shards[0]!);
  return join(directory, 'model.json');
}

/** Runs converted model bytes on an HWC float image; returns HWC output and its size. */
export async function runOnnxHwc(
  bytes: Uint8Array,
  input: Float32Array,
  width: number,
  height: number,
): Promise<{ data: Float32Array; width: number; height: number }> {
  const { session } = await createSession(bytes, { provider: 'cpu', threads: 1 });
  const plane = width * height;
  const chw = new Float32Array(plane * 3);
  for (let pixel = 0; pixel < plane; pixel++)
    for (let c = 0; c < 3; c++) chw[c * plane + pixel] = input[pixel * 3 + c]!;
  const out = (
    await session.run({ [ONNX_INPUT_NAME]: new ort.Tensor('float32', chw, [1, 3, height, width]) })
  )[ONNX_OUTPUT_NAME]!;
  const [, , outHeight, outWidth] = out.dims as number[];
  const outPlane = outHeight! * outWidth!;
  const hwc = new Float32Array(outPlane * 3);
  const data = out.data as Float32Array;
  for (let pixel = 0; pixel < outPlane; pixel++)
    for (let c = 0; c < 3; c++) hwc[pixel * 3 + c] = data[c * outPlane + pixel]!;
  await session.release();
  return { data: hwc, width: outWidth!, height: outHeight! };
}

/** A deterministic HWC test image with distinct values per pixel and channel (0–255). */
export function testPattern(width: number, height: number): Float32Array {
  const data = new Float32Array(width * height * 3);
  for (let index = 0; index < data.length; index++) data[index] = (index * 37 + 11) % 251;
  return data;
}
