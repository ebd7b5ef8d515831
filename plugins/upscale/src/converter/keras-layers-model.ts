import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CapabilityError } from '@viwo/core';
import { messageOf } from '../errors.ts';

/** One layer of a Keras functional model as TF.js `model.json` stores it. */
export interface KerasLayer {
  class_name: string;
  name: string;
  config: Record<string, unknown>;
  /** `[[[sourceLayer, nodeIndex, tensorIndex, kwargs], ...]]`: one list per call of the layer. */
  inbound_nodes: unknown[];
}

/** One weight entry of a `weightsManifest` group. */
export interface KerasWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

/** A parsed TF.js layers-model: topology plus every weight, keyed by `layer/kernel` style names. */
export interface KerasLayersModel {
  name: string;
  layers: KerasLayer[];
  inputLayers: string[];
  outputLayers: string[];
  weights: Map<string, { shape: number[]; values: Float32Array }>;
}

/** The raw files of a layers model: `model.json` bytes and its shards in manifest order. */
export interface KerasModelFiles {
  modelJson: Uint8Array;
  shards: Uint8Array[];
}

/** Reads `model.json` and every shard it names (paths relative to the JSON file). */
export async function readKerasModelFiles(modelJsonPath: string): Promise<KerasModelFiles> {
  let modelJson: Uint8Array;
  try {
    modelJson = new Uint8Array(await readFile(modelJsonPath));
  } catch (error) {
    throw new CapabilityError(
      'NotFound',
      `cannot read model file ${modelJsonPath}: ${messageOf(error)}`,
    );
  }
  const manifest = parseJson(modelJson, modelJsonPath).weightsManifest;
  if (!Array.isArray(manifest)) {
    throw new CapabilityError('ConversionFailed', `${modelJsonPath}: weightsManifest is missing`);
  }
  const shards: Uint8Array[] = [];
  for (const group of manifest as { paths?: unknown }[]) {
    for (const shardPath of Array.isArray(group.paths) ? group.paths : []) {
      const path = join(dirname(modelJsonPath), String(shardPath));
      try {
        shards.push(new Uint8Array(await readFile(path)));
      } catch (error) {
        throw new CapabilityError(
          'NotFound',
          `cannot read weight shard ${path}: ${messageOf(error)}`,
        );
      }
    }
  }
  return { modelJson, shards };
}

/**
 * Parses a TF.js layers-model (format `layers-model`, Keras functional config) and slices its
 * weights out of the concatenated shards.
 *
 * Invariant: weights are laid out back to back in manifest order across all shards (that is how
 * the TF.js converter writes them), so a running byte offset locates each one.
 */
export function parseKerasLayersModel(
  files: KerasModelFiles,
  source = 'model.json',
): KerasLayersModel {
  const json = parseJson(files.modelJson, source);
  const topology = json.modelTopology as Record<string, unknown> | undefined;
  const modelConfig = (topology?.model_config ?? topology) as Record<string, unknown> | undefined;
  const config = modelConfig?.config as Record<string, unknown> | undefined;
  if (!config || !Array.isArray(config.layers)) {
    throw new CapabilityError('ConversionFailed', `${source}: modelTopology has no layer list`);
  }
  const layers = (config.layers as KerasLayer[]).map((layer, index) => {
    if (typeof layer?.class_name !== 'string' || typeof layer.config !== 'object') {
      throw new CapabilityError('ConversionFailed', `${source}: layer #${index} is malformed`);
    }
    const name = typeof layer.name === 'string' ? layer.name : String(layer.config.name);
    return { ...layer, name, inbound_nodes: layer.inbound_nodes ?? [] };
  });
  const endpoints = (value: unknown, what: string): string[] => {
    if (!Array.isArray(value) || value.length !== 1) {
      throw new CapabilityError(
        'ConversionFailed',
        `${source}: expected exactly one ${what} layer`,
      );
    }
    return value.map((entry) => String((entry as unknown[])[0]));
  };
  return {
    name: String(config.name ?? 'model'),
    layers,
    inputLayers: endpoints(config.input_layers, 'input'),
    outputLayers: endpoints(config.output_layers, 'output'),
    weights: sliceWeights(json.weightsManifest, files.shards, source),
  };
}

function sliceWeights(
  manifest: unknown,
  shards: Uint8Array[],
  source: string,
): Map<string, { shape: number[]; values: Float32Array }> {
  const total = shards.reduce((sum, shard) => sum + shard.length, 0);
  const buffer = new Uint8Array(total);
  let cursor = 0;
  for (const shard of shards) {
    buffer.set(shard, cursor);
    cursor += shard.length;
  }
  const weights = new Map<string, { shape: number[]; values: Float32Array }>();
  let offset = 0;
  for (const group of (manifest ?? []) as { weights?: KerasWeightSpec[] }[]) {
    for (const spec of group.weights ?? []) {
      if (spec.dtype !== 'float32' || spec.quantization) {
        throw new CapabilityError(
          'ConversionFailed',
          `${source}: weight ${spec.name} is ${spec.quantization ? 'quantized' : spec.dtype}; only float32 is supported`,
        );
      }
      const count = spec.shape.reduce((product, dim) => product * dim, 1);
      const bytes = count * 4;
      if (offset + bytes > buffer.length) {
        throw new CapabilityError(
          'ConversionFailed',
          `${source}: weight shards are truncated (${buffer.length} bytes, weight ${spec.name} needs up to ${offset + bytes})`,
        );
      }
      // Copy so the values are 4-byte aligned whatever the offset.
      const values = new Float32Array(buffer.slice(offset, offset + bytes).buffer);
      weights.set(spec.name, { shape: spec.shape, values });
      offset += bytes;
    }
  }
  if (offset !== buffer.length) {
    throw new CapabilityError(
      'ConversionFailed',
      `${source}: weight shards hold ${buffer.length} bytes but the manifest describes ${offset}`,
    );
  }
  return weights;
}

function parseJson(bytes: Uint8Array, source: string): Record<string, unknown> {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof value !== 'object' || value === null) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new CapabilityError(
      'ConversionFailed',
      `${source} is not valid JSON: ${messageOf(error)}`,
    );
  }
}

/** Names of the layers feeding `layer` (its first and only call), in argument order. */
export function inboundLayerNames(layer: KerasLayer): string[] {
  if (layer.inbound_nodes.length === 0) return [];
  if (layer.inbound_nodes.length > 1) {
    throw new CapabilityError(
      'ConversionFailed',
      `layer ${layer.name} (${layer.class_name}) is called ${layer.inbound_nodes.length} times; shared layers are not supported`,
    );
  }
  const call = layer.inbound_nodes[0];
  if (!Array.isArray(call)) {
    throw new CapabilityError(
      'ConversionFailed',
      `layer ${layer.name} has a malformed inbound node`,
    );
  }
  return call.map((entry) => {
    const [source, , tensorIndex] = entry as [string, number, number];
    if (tensorIndex !== 0 && tensorIndex !== undefined) {
      throw new CapabilityError(
        'ConversionFailed',
        `layer ${layer.name} reads output #${tensorIndex} of ${source}; only single-output layers are supported`,
      );
    }
    return String(source);
  });
}
