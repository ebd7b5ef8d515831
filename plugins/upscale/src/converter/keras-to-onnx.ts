import { GraphBuilder } from '@viwo/onnx';
import { UpscaleError } from '../errors.ts';
import { inboundLayerNames, type KerasLayer, type KerasLayersModel } from './keras-layers-model.ts';

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

/** A tensor in the graph under construction, with its channel count and spatial factor. */
interface GraphTensor {
  name: string;
  channels: number;
  /** Output side / input side of the network at this tensor. */
  spatial: number;
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
        throw new UpscaleError(
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
    throw new UpscaleError('ConversionFailed', `output layer ${outputLayer} does not exist`);
  if (last.channels !== 3) {
    throw new UpscaleError(
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
    throw new UpscaleError(
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

function convertLayer(
  graph: GraphBuilder,
  layer: KerasLayer,
  inputs: GraphTensor[],
  model: KerasLayersModel,
): GraphTensor {
  const single = (): GraphTensor => {
    if (inputs.length !== 1) {
      throw new UpscaleError(
        'ConversionFailed',
        `layer ${layer.name} (${layer.class_name}) expects one input, got ${inputs.length}`,
      );
    }
    return inputs[0]!;
  };
  const pixelShuffle = /^PixelShuffle(\d+)x$/.exec(layer.class_name);
  if (pixelShuffle) return convertPixelShuffle(graph, layer, single(), Number(pixelShuffle[1]));
  switch (layer.class_name) {
    case 'Conv2D':
      return convertConv2D(graph, layer, single(), model);
    case 'Activation': {
      const input = single();
      return { ...input, name: activation(graph, layer, input.name, layer.config.activation) };
    }
    case 'Concatenate':
      return convertConcatenate(graph, layer, inputs);
    case 'Add':
      return convertAdd(graph, layer, inputs);
    case 'UpSampling2D':
      return convertUpSampling(graph, layer, single());
    case 'MultiplyBeta': {
      const input = single();
      const beta = layer.config.beta === undefined ? 0.2 : Number(layer.config.beta);
      if (!Number.isFinite(beta)) {
        throw new UpscaleError(
          'ConversionFailed',
          `layer ${layer.name}: beta ${String(layer.config.beta)} is not a number`,
        );
      }
      const constant = graph.initializer(`${layer.name}_beta`, 'float32', [], [beta]);
      return { ...input, name: graph.op('Mul', [input.name, constant]) };
    }
    default:
      throw new UpscaleError(
        'ConversionFailed',
        `unsupported layer type ${layer.class_name} (layer ${layer.name})`,
      );
  }
}

function convertConv2D(
  graph: GraphBuilder,
  layer: KerasLayer,
  input: GraphTensor,
  model: KerasLayersModel,
): GraphTensor {
  const config = layer.config;
  const where = `Conv2D layer ${layer.name}`;
  const pair = (value: unknown, fallback: number): [number, number] =>
    Array.isArray(value) ? [Number(value[0]), Number(value[1])] : [fallback, fallback];
  const [strideH, strideW] = pair(config.strides, 1);
  const [dilationH, dilationW] = pair(config.dilation_rate, 1);
  if (strideH !== 1 || strideW !== 1 || dilationH !== 1 || dilationW !== 1) {
    throw new UpscaleError(
      'ConversionFailed',
      `${where}: only stride 1 and dilation 1 are supported`,
    );
  }
  if ((config.groups ?? 1) !== 1) {
    throw new UpscaleError('ConversionFailed', `${where}: grouped convolution is not supported`);
  }
  if (config.data_format !== undefined && config.data_format !== 'channels_last') {
    throw new UpscaleError(
      'ConversionFailed',
      `${where}: data_format ${String(config.data_format)} is not supported`,
    );
  }
  const kernel = model.weights.get(`${layer.name}/kernel`);
  if (kernel?.shape.length !== 4) {
    throw new UpscaleError('ConversionFailed', `${where}: kernel weights are missing`);
  }
  const [kernelH, kernelW, inChannels, outChannels] = kernel.shape as [
    number,
    number,
    number,
    number,
  ];
  if (inChannels !== input.channels) {
    throw new UpscaleError(
      'ConversionFailed',
      `${where}: kernel expects ${inChannels} input channels, its input has ${input.channels}`,
    );
  }
  // HWIO → OIHW: ONNX Conv wants [out, in, kh, kw].
  const oihw = new Float32Array(kernel.values.length);
  for (let h = 0; h < kernelH; h++) {
    for (let w = 0; w < kernelW; w++) {
      for (let i = 0; i < inChannels; i++) {
        for (let o = 0; o < outChannels; o++) {
          oihw[((o * inChannels + i) * kernelH + h) * kernelW + w] =
            kernel.values[((h * kernelW + w) * inChannels + i) * outChannels + o]!;
        }
      }
    }
  }
  const inputs = [
    input.name,
    graph.initializer(
      `${layer.name}_kernel`,
      'float32',
      [outChannels, inChannels, kernelH, kernelW],
      oihw,
    ),
  ];
  if (config.use_bias !== false) {
    const bias = model.weights.get(`${layer.name}/bias`);
    if (!bias || bias.values.length !== outChannels) {
      throw new UpscaleError(
        'ConversionFailed',
        `${where}: bias weights are missing or the wrong size`,
      );
    }
    inputs.push(graph.initializer(`${layer.name}_bias`, 'float32', [outChannels], bias.values));
  }
  let pads: number[];
  if (config.padding === 'same') {
    // TensorFlow puts the extra pixel of an even kernel at the end (bottom/right).
    pads = [
      Math.floor((kernelH - 1) / 2),
      Math.floor((kernelW - 1) / 2),
      Math.ceil((kernelH - 1) / 2),
      Math.ceil((kernelW - 1) / 2),
    ];
  } else if (config.padding === 'valid') {
    if (kernelH !== 1 || kernelW !== 1) {
      throw new UpscaleError(
        'ConversionFailed',
        `${where}: 'valid' padding with a ${kernelH}×${kernelW} kernel changes the image size; not supported`,
      );
    }
    pads = [0, 0, 0, 0];
  } else {
    throw new UpscaleError(
      'ConversionFailed',
      `${where}: padding ${String(config.padding)} is not supported`,
    );
  }
  const conv = graph.op('Conv', inputs, {
    kernel_shape: [kernelH, kernelW],
    pads,
    strides: [1, 1],
    dilations: [1, 1],
  });
  return {
    name: activation(graph, layer, conv, config.activation ?? 'linear'),
    channels: outChannels,
    spatial: input.spatial,
  };
}

function activation(graph: GraphBuilder, layer: KerasLayer, name: string, kind: unknown): string {
  if (kind === 'linear') return name;
  if (kind === 'relu') return graph.op('Relu', [name]);
  throw new UpscaleError(
    'ConversionFailed',
    `layer ${layer.name}: activation ${String(kind)} is not supported (relu, linear)`,
  );
}

/** Keras NHWC axis → ONNX NCHW axis. */
function nchwAxis(axis: number, layer: KerasLayer): number {
  const positive = axis < 0 ? axis + 4 : axis;
  const mapping = [0, 2, 3, 1];
  const mapped = mapping[positive];
  if (mapped === undefined) {
    throw new UpscaleError(
      'ConversionFailed',
      `layer ${layer.name}: axis ${axis} is out of range for a 4-D tensor`,
    );
  }
  return mapped;
}

function convertConcatenate(
  graph: GraphBuilder,
  layer: KerasLayer,
  inputs: GraphTensor[],
): GraphTensor {
  const axis = nchwAxis(layer.config.axis === undefined ? -1 : Number(layer.config.axis), layer);
  if (axis !== 1) {
    throw new UpscaleError(
      'ConversionFailed',
      `layer ${layer.name}: only channel concatenation is supported`,
    );
  }
  checkSameSpatial(layer, inputs);
  const channels = inputs.reduce((sum, input) => sum + input.channels, 0);
  const name = graph.op(
    'Concat',
    inputs.map((input) => input.name),
    { axis },
  );
  return { name, channels, spatial: inputs[0]!.spatial };
}

function convertAdd(graph: GraphBuilder, layer: KerasLayer, inputs: GraphTensor[]): GraphTensor {
  if (inputs.length < 2) {
    throw new UpscaleError(
      'ConversionFailed',
      `layer ${layer.name} (Add) needs at least two inputs`,
    );
  }
  checkSameSpatial(layer, inputs);
  if (inputs.some((input) => input.channels !== inputs[0]!.channels)) {
    throw new UpscaleError(
      'ConversionFailed',
      `layer ${layer.name} (Add) adds tensors with different channel counts`,
    );
  }
  let name = inputs[0]!.name;
  for (const input of inputs.slice(1)) name = graph.op('Add', [name, input.name]);
  return { ...inputs[0]!, name };
}

function convertUpSampling(
  graph: GraphBuilder,
  layer: KerasLayer,
  input: GraphTensor,
): GraphTensor {
  const size = Array.isArray(layer.config.size) ? layer.config.size.map(Number) : [];
  const [factorH, factorW] = size;
  if (!factorH || !factorW || factorH !== factorW || !Number.isInteger(factorH)) {
    throw new UpscaleError(
      'ConversionFailed',
      `layer ${layer.name}: UpSampling2D size ${JSON.stringify(layer.config.size)} must be equal integers`,
    );
  }
  const interpolation = layer.config.interpolation ?? 'nearest';
  if (interpolation !== 'nearest') {
    throw new UpscaleError(
      'ConversionFailed',
      `layer ${layer.name}: UpSampling2D interpolation ${String(interpolation)} is not supported (nearest)`,
    );
  }
  const scales = graph.initializer(
    `${layer.name}_scales`,
    'float32',
    [4],
    [1, 1, factorH, factorW],
  );
  // Asymmetric + floor is exact pixel replication, which is what Keras nearest upsampling does.
  const name = graph.op('Resize', [input.name, '', scales], {
    mode: 'nearest',
    coordinate_transformation_mode: 'asymmetric',
    nearest_mode: 'floor',
  });
  return { name, channels: input.channels, spatial: input.spatial * factorH };
}

function convertPixelShuffle(
  graph: GraphBuilder,
  layer: KerasLayer,
  input: GraphTensor,
  block: number,
): GraphTensor {
  const configured = layer.config.scale === undefined ? block : Number(layer.config.scale);
  if (configured !== block || block < 2) {
    throw new UpscaleError(
      'ConversionFailed',
      `layer ${layer.name}: ${layer.class_name} has scale ${String(layer.config.scale)}`,
    );
  }
  if (input.channels % (block * block) !== 0) {
    throw new UpscaleError(
      'ConversionFailed',
      `layer ${layer.name}: ${input.channels} channels do not divide by ${block}²`,
    );
  }
  // tf.depthToSpace(NHWC) takes channel (i*block + j)*C + c to offset (i, j): ONNX's DCR order.
  const name = graph.op('DepthToSpace', [input.name], { blocksize: block, mode: 'DCR' });
  return { name, channels: input.channels / (block * block), spatial: input.spatial * block };
}

function checkSameSpatial(layer: KerasLayer, inputs: GraphTensor[]): void {
  if (inputs.some((input) => input.spatial !== inputs[0]!.spatial)) {
    throw new UpscaleError(
      'ConversionFailed',
      `layer ${layer.name} combines tensors of different sizes`,
    );
  }
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
      throw new UpscaleError('ConversionFailed', `layer ${layer.name} is part of a cycle`);
    state.set(layer.name, 'visiting');
    for (const source of inboundLayerNames(layer)) {
      const dependency = byName.get(source);
      if (!dependency)
        throw new UpscaleError(
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
