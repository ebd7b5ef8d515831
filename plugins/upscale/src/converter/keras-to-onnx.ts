import { CapabilityError } from '@viwo/core';
import { GraphBuilder } from '@viwo/onnx';
import { inboundLayerNames, type KerasLayer, type KerasLayersModel } from './keras-layers-model.ts';
import { convertLayer, type GraphTensor } from './layer-converters.ts';

/** Graph input: NCHW float32 RGB pixels in 0–255, dynamic height and width. */
export const ONNX_INPUT_NAME = 'viwo_pixels_in';
/** Graph output: NCHW float32 RGB pixels clipped to 0–255. */
export const ONNX_OUTPUT_NAME = 'viwo_pixels_out';

/** The value range a model expects or produces, from the package's model definition. */
export type ValueRange = readonly [number, number];

/** Options for {@link convertKerasToOnnx}. */
export interface ConversionOptions {
  /** Range the network expects its input in; pixels (0–255) are mapped onto it in the graph. */
  inputRange: ValueRange;
  /** Range the network produces; mapped back to 0–255 and clipped in the graph. */
  outputRange: ValueRange;
}

/** What conversion learned about the network besides the bytes. */
export interface ConvertedModelInfo {
  /** Spatial upscaling factor of the whole network. */
  scale: number;
  /**
   * Peak of simultaneously live activations, in float32 elements per input pixel, for a
   * sequential executor that frees each tensor after its last consumer (what onnxruntime's memory
   * planner approximates). The tile planner scales it by a measured overhead factor.
   */
  peakElementsPerInputPixel: number;
  /** Layer classes seen, for logs and tests. */
  layerClasses: string[];
}

/** Result of {@link convertKerasToOnnx}. */
export interface ConvertedModel {
  bytes: Uint8Array;
  info: ConvertedModelInfo;
}

/**
 * Converts a Keras layers-model (NHWC, as TF.js stores it) into an NCHW ONNX graph.
 *
 * Pre- and post-scaling are part of the graph, so the ONNX model maps 0–255 pixels to 0–255 pixels
 * whatever the network's ranges are. Mapping rules (each checked by a unit test):
 * - Conv2D: HWIO kernel → OIHW; `same` padding splits k−1 as floor/ceil (TensorFlow's rule),
 *   `valid` is no padding; stride and dilation must be 1 (the ESRGAN graphs only use those).
 * - Concatenate axis in NHWC → NCHW (channels 3/−1 → 1).
 * - UpSampling2D nearest → Resize nearest, asymmetric, floor (exact pixel replication).
 * - MultiplyBeta → Mul by the layer's beta; PixelShuffleNx → DepthToSpace DCR (TF NHWC order).
 * Any other layer class fails with a message naming the layer.
 */
export function convertKerasToOnnx(
  model: KerasLayersModel,
  options: ConversionOptions,
): ConvertedModel {
  const graph = new GraphBuilder(model.name.replace(/[^A-Za-z0-9_]/g, '_') || 'esrgan');
  const tensors = new Map<string, GraphTensor>();
  const order = topologicalOrder(model.layers);
  for (const layer of order) {
    const inputs = inboundLayerNames(layer).map((source) => {
      const tensor = tensors.get(source);
      if (!tensor) {
        throw new CapabilityError(
          'ConversionFailed',
          `layer ${layer.name} reads unknown layer ${source}`,
        );
      }
      return tensor;
    });
    const output =
      layer.class_name === 'InputLayer'
        ? convertInputLayer(graph, layer, options.inputRange)
        : convertLayer(graph, layer, inputs, model);
    tensors.set(layer.name, output);
  }
  const peak = peakLiveElements(order, tensors, model.outputLayers[0]!);

  const outputLayer = model.outputLayers[0]!;
  const last = tensors.get(outputLayer);
  if (!last)
    throw new CapabilityError('ConversionFailed', `output layer ${outputLayer} does not exist`);
  if (last.channels !== 3) {
    throw new CapabilityError(
      'ConversionFailed',
      `output layer ${outputLayer} has ${last.channels} channels, expected 3`,
    );
  }
  const pixels = appendOutputScaling(graph, last.name, options.outputRange);
  graph.output(ONNX_OUTPUT_NAME, pixels, 'float32', [1, 3, 'out_height', 'out_width']);
  return {
    bytes: graph.toBytes(),
    info: {
      scale: last.spatial,
      peakElementsPerInputPixel: peak,
      layerClasses: [...new Set(model.layers.map((layer) => layer.class_name))].sort(),
    },
  };
}

function convertInputLayer(graph: GraphBuilder, layer: KerasLayer, range: ValueRange): GraphTensor {
  const shape = layer.config.batch_input_shape;
  const channels = Array.isArray(shape) ? Number(shape[3]) : Number.NaN;
  if (channels !== 3) {
    throw new CapabilityError(
      'ConversionFailed',
      `input layer ${layer.name} has shape ${JSON.stringify(shape)}; expected [null, null, null, 3]`,
    );
  }
  graph.input(ONNX_INPUT_NAME, 'float32', [1, 3, 'height', 'width']);
  const [low, high] = range;
  if (low === 0 && high === 255) return { name: ONNX_INPUT_NAME, channels, spatial: 1 };
  // Map 0..255 linearly onto [low, high] and clip, as UpscalerJS does before calling the model.
  const scale = graph.initializer('input_scale', 'float32', [], [(high - low) / 255]);
  let name = graph.op('Mul', [ONNX_INPUT_NAME, scale]);
  if (low !== 0)
    name = graph.op('Add', [name, graph.initializer('input_offset', 'float32', [], [low])]);
  name = clip(graph, name, low, high);
  return { name, channels, spatial: 1 };
}

function appendOutputScaling(graph: GraphBuilder, name: string, range: ValueRange): string {
  const [low, high] = range;
  let pixels = name;
  if (!(low === 0 && high === 255)) {
    if (low !== 0)
      pixels = graph.op('Sub', [pixels, graph.initializer('output_offset', 'float32', [], [low])]);
    pixels = graph.op('Mul', [
      pixels,
      graph.initializer('output_scale', 'float32', [], [255 / (high - low)]),
    ]);
  }
  return clip(graph, pixels, 0, 255);
}

function clip(graph: GraphBuilder, name: string, low: number, high: number): string {
  const min = graph.initializer('clip_min', 'float32', [], [low]);
  const max = graph.initializer('clip_max', 'float32', [], [high]);
  return graph.op('Clip', [name, min, max]);
}

/**
 * Peak sum of live tensor sizes over the execution order: a tensor is live from the step that
 * produces it through its last consumer (the graph output stays live to the end).
 */
function peakLiveElements(
  order: KerasLayer[],
  tensors: Map<string, GraphTensor>,
  outputLayer: string,
): number {
  const lastUse = new Map<string, number>();
  order.forEach((layer, step) => {
    lastUse.set(layer.name, Math.max(lastUse.get(layer.name) ?? step, step));
    for (const source of inboundLayerNames(layer)) lastUse.set(source, step);
  });
  lastUse.set(outputLayer, order.length);
  let live = 0;
  let peak = 0;
  const releases: number[] = new Array(order.length + 1).fill(0);
  order.forEach((layer, step) => {
    const tensor = tensors.get(layer.name)!;
    const size = tensor.channels * tensor.spatial * tensor.spatial;
    live += size;
    peak = Math.max(peak, live);
    releases[lastUse.get(layer.name)!]! += size;
    live -= releases[step]!;
  });
  return peak;
}

/** Orders layers so each comes after its inputs (Keras lists them that way, but we don't rely on it). */
function topologicalOrder(layers: KerasLayer[]): KerasLayer[] {
  const byName = new Map(layers.map((layer) => [layer.name, layer]));
  const state = new Map<string, 'visiting' | 'done'>();
  const order: KerasLayer[] = [];
  const visit = (layer: KerasLayer): void => {
    const seen = state.get(layer.name);
    if (seen === 'done') return;
    if (seen === 'visiting')
      throw new CapabilityError('ConversionFailed', `layer ${layer.name} is part of a cycle`);
    state.set(layer.name, 'visiting');
    for (const source of inboundLayerNames(layer)) {
      const dependency = byName.get(source);
      if (!dependency)
        throw new CapabilityError(
          'ConversionFailed',
          `layer ${layer.name} reads unknown layer ${source}`,
        );
      visit(dependency);
    }
    state.set(layer.name, 'done');
    order.push(layer);
  };
  for (const layer of layers) visit(layer);
  return order;
}
