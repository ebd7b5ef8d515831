import { CapabilityError } from '@viwo/core';
import type { GraphBuilder } from '@viwo/onnx';
import type { KerasLayer, KerasLayersModel } from './keras-layers-model.ts';

/** A tensor in the graph under construction, with its channel count and spatial factor. */
export interface GraphTensor {
  name: string;
  channels: number;
  /** Output side / input side of the network at this tensor. */
  spatial: number;
}

/**
 * Emits the ONNX nodes for one Keras layer (every class but InputLayer) and returns its output.
 * Unknown classes fail with a message naming the class and the layer.
 */
export function convertLayer(
  graph: GraphBuilder,
  layer: KerasLayer,
  inputs: GraphTensor[],
  model: KerasLayersModel,
): GraphTensor {
  const single = (): GraphTensor => {
    if (inputs.length !== 1) {
      throw new CapabilityError(
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
        throw new CapabilityError(
          'ConversionFailed',
          `layer ${layer.name}: beta ${String(layer.config.beta)} is not a number`,
        );
      }
      const constant = graph.initializer(`${layer.name}_beta`, 'float32', [], [beta]);
      return { ...input, name: graph.op('Mul', [input.name, constant]) };
    }
    default:
      throw new CapabilityError(
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
    throw new CapabilityError(
      'ConversionFailed',
      `${where}: only stride 1 and dilation 1 are supported`,
    );
  }
  if ((config.groups ?? 1) !== 1) {
    throw new CapabilityError('ConversionFailed', `${where}: grouped convolution is not supported`);
  }
  if (config.data_format !== undefined && config.data_format !== 'channels_last') {
    throw new CapabilityError(
      'ConversionFailed',
      `${where}: data_format ${String(config.data_format)} is not supported`,
    );
  }
  const kernel = model.weights.get(`${layer.name}/kernel`);
  if (kernel?.shape.length !== 4) {
    throw new CapabilityError('ConversionFailed', `${where}: kernel weights are missing`);
  }
  const [kernelH, kernelW, inChannels, outChannels] = kernel.shape as [
    number,
    number,
    number,
    number,
  ];
  if (inChannels !== input.channels) {
    throw new CapabilityError(
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
      throw new CapabilityError(
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
      throw new CapabilityError(
        'ConversionFailed',
        `${where}: 'valid' padding with a ${kernelH}×${kernelW} kernel changes the image size; not supported`,
      );
    }
    pads = [0, 0, 0, 0];
  } else {
    throw new CapabilityError(
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
  throw new CapabilityError(
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
    throw new CapabilityError(
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
    throw new CapabilityError(
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
    throw new CapabilityError(
      'ConversionFailed',
      `layer ${layer.name} (Add) needs at least two inputs`,
    );
  }
  checkSameSpatial(layer, inputs);
  if (inputs.some((input) => input.channels !== inputs[0]!.channels)) {
    throw new CapabilityError(
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
    throw new CapabilityError(
      'ConversionFailed',
      `layer ${layer.name}: UpSampling2D size ${JSON.stringify(layer.config.size)} must be equal integers`,
    );
  }
  const interpolation = layer.config.interpolation ?? 'nearest';
  if (interpolation !== 'nearest') {
    throw new CapabilityError(
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
    throw new CapabilityError(
      'ConversionFailed',
      `layer ${layer.name}: ${layer.class_name} has scale ${String(layer.config.scale)}`,
    );
  }
  if (input.channels % (block * block) !== 0) {
    throw new CapabilityError(
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
    throw new CapabilityError(
      'ConversionFailed',
      `layer ${layer.name} combines tensors of different sizes`,
    );
  }
}
