import { GraphBuilder } from '@viwo/onnx';
import { alphasCumprod, DEFAULT_SCHEDULER_CONFIG } from '../schedulers/scheduler.ts';
import { TinyWeights } from './tiny-weights.ts';

const ONNX_FLOAT = 1;
const ONNX_INT64 = 7;
const ONNX_FLOAT16 = 10;
const LATENT_CHANNELS = 4;
const FEATURES = 16;
/** Variance of the tiny "data distribution" around its predicted mean. */
const DATA_VARIANCE = 0.35;

/** Options for {@link buildTinyUnet}. */
export interface TinyUnetOptions {
  /** `int64 [1]` (Optimum SD 1.x) or `float32` scalar (SD 2.x / Turbo exports). */
  timestep: 'int64' | 'float32';
  prediction: 'epsilon' | 'v_prediction';
  textHidden: number;
  seed: number;
  /** Channels of `sample` (4, or 9 for inpainting UNets: the extra ones only steer the mean). */
  inChannels?: number;
  /** `float16` mimics half-precision exports: float16 sample/context/output, float32 inside. */
  precision?: 'float32' | 'float16';
}

/** Tensor names inside a tiny UNet graph that extension layouts (ControlNet, SDXL) hook into. */
export interface TinyUnetParts {
  graph: GraphBuilder;
  weights: TinyWeights;
  /** `[batch, 16, h, w]` hidden features before the output convolution; extensions may add to it. */
  features: string;
  /** Finishes the graph from (possibly modified) features and returns the bytes. */
  finish(features: string): Uint8Array;
}

/**
 * A tiny denoiser with the real UNet contract: `sample [batch, C, h, w]`, `timestep`,
 * `encoder_hidden_states [batch, 77, hidden]` → `out_sample [batch, 4, h, w]`.
 *
 * It is the exact posterior-mean denoiser for a Gaussian data distribution N(m, 0.35·I) whose mean
 * `m` is a small convolutional function of the noisy latents modulated by the prompt: with
 * ᾱ from the timestep, ε̂ = σ_t·(x − α·m)/(α²·v + σ_t²). So every sampler converges to latents
 * that vary with seed (through x) and prompt (through m) without blowing up or going flat.
 */
export function buildTinyUnetParts(options: TinyUnetOptions): TinyUnetParts {
  const inChannels = options.inChannels ?? LATENT_CHANNELS;
  const weights = new TinyWeights(options.seed);
  const graph = new GraphBuilder('tiny_unet');
  const io = options.precision ?? 'float32';
  const toFloat = (name: string) =>
    io === 'float16' ? graph.op('Cast', [name], { to: ONNX_FLOAT }) : name;
  const sample = toFloat(graph.input('sample', io, ['batch', inChannels, 'height', 'width']));
  const timestep =
    options.timestep === 'int64'
      ? graph.input('timestep', 'int64', [1])
      : graph.input('timestep', 'float32', []);
  const context = toFloat(
    graph.input('encoder_hidden_states', io, ['batch', 'sequence', options.textHidden]),
  );

  // ᾱ(t) from the training table: clamp t to [0, 999] in float, then index.
  const timeFloat = graph.op('Reshape', [
    graph.op('Cast', [timestep], { to: ONNX_FLOAT }),
    graph.initializer('shape1', 'int64', [1], [1]),
  ]);
  const clamped = graph.op('Clip', [
    timeFloat,
    graph.initializer('t_min', 'float32', [], [0]),
    graph.initializer('t_max', 'float32', [], [999]),
  ]);
  const index = graph.op('Cast', [clamped], { to: ONNX_INT64 });
  const table = graph.initializer(
    'alphas_cumprod',
    'float32',
    [1000],
    Array.from(alphasCumprod(DEFAULT_SCHEDULER_CONFIG)),
  );
  const cumprod = graph.op('Gather', [table, index]);
  const one = graph.initializer('one', 'float32', [], [1]);
  const alpha = graph.op('Sqrt', [cumprod]);
  const spread = graph.op('Sqrt', [graph.op('Sub', [one, cumprod])]);

  // Prompt: mean over tokens → per-channel bias of m and per-feature gain of the conv features.
  const pooled = graph.op('ReduceMean', [context], { axes: [1], keepdims: 0 });
  const hidden = options.textHidden;
  const textBias = graph.op('Reshape', [
    graph.op('MatMul', [
      pooled,
      graph.initializer(
        'text_bias_w',
        'float32',
        [hidden, LATENT_CHANNELS],
        weights.normal(hidden * LATENT_CHANNELS, hidden, 3),
      ),
    ]),
    graph.initializer('bias_shape', 'int64', [4], [-1, LATENT_CHANNELS, 1, 1]),
  ]);
  const textGain = graph.op('Reshape', [
    graph.op('Tanh', [
      graph.op('MatMul', [
        pooled,
        graph.initializer(
          'text_gain_w',
          'float32',
          [hidden, FEATURES],
          weights.normal(hidden * FEATURES, hidden, 3),
        ),
      ]),
    ]),
    graph.initializer('gain_shape', 'int64', [4], [-1, FEATURES, 1, 1]),
  ]);
  const conv1 = graph.op(
    'Conv',
    [
      sample,
      graph.initializer(
        'conv1_w',
        'float32',
        [FEATURES, inChannels, 3, 3],
        weights.normal(FEATURES * inChannels * 9, inChannels * 9, 1.5),
      ),
      graph.initializer('conv1_b', 'float32', [FEATURES], weights.normal(FEATURES, 1, 0.2)),
    ],
    { pads: [1, 1, 1, 1] },
  );
  const features = graph.op('Tanh', [graph.op('Mul', [conv1, graph.op('Add', [one, textGain])])]);

  return {
    graph,
    weights,
    features,
    finish(finalFeatures: string): Uint8Array {
      const conv2 = graph.op(
        'Conv',
        [
          finalFeatures,
          graph.initializer(
            'conv2_w',
            'float32',
            [LATENT_CHANNELS, FEATURES, 3, 3],
            weights.normal(LATENT_CHANNELS * FEATURES * 9, FEATURES * 9, 1.5),
          ),
        ],
        { pads: [1, 1, 1, 1] },
      );
      const mean = graph.op('Tanh', [graph.op('Add', [conv2, textBias])]);
      // Only the first 4 channels are the noisy latents (inpainting UNets append mask + image).
      const latents =
        inChannels === LATENT_CHANNELS
          ? sample
          : graph.op('Slice', [
              sample,
              graph.initializer('c0', 'int64', [1], [0]),
              graph.initializer('c4', 'int64', [1], [LATENT_CHANNELS]),
              graph.initializer('c_axis', 'int64', [1], [1]),
            ]);
      const alphaBroadcast = graph.op('Reshape', [
        alpha,
        graph.initializer('scalar4', 'int64', [4], [1, 1, 1, 1]),
      ]);
      const spreadBroadcast = graph.op('Reshape', [
        spread,
        graph.initializer('scalar4b', 'int64', [4], [1, 1, 1, 1]),
      ]);
      const residual = graph.op('Sub', [latents, graph.op('Mul', [alphaBroadcast, mean])]);
      const variance = graph.initializer('data_variance', 'float32', [], [DATA_VARIANCE]);
      const denominator = graph.op('Add', [
        graph.op('Mul', [graph.op('Mul', [alphaBroadcast, alphaBroadcast]), variance]),
        graph.op('Mul', [spreadBroadcast, spreadBroadcast]),
      ]);
      const scaledResidual = graph.op('Div', [residual, denominator]);
      const epsilon = graph.op('Mul', [spreadBroadcast, scaledResidual]);
      let output = epsilon;
      if (options.prediction === 'v_prediction') {
        const original = graph.op('Add', [
          mean,
          graph.op('Mul', [graph.op('Mul', [alphaBroadcast, variance]), scaledResidual]),
        ]);
        output = graph.op('Sub', [
          graph.op('Mul', [alphaBroadcast, epsilon]),
          graph.op('Mul', [spreadBroadcast, original]),
        ]);
      }
      const final = io === 'float16' ? graph.op('Cast', [output], { to: ONNX_FLOAT16 }) : output;
      graph.output('out_sample', final, io, ['batch', LATENT_CHANNELS, 'height', 'width']);
      return graph.toBytes();
    },
  };
}

/** The plain tiny UNet (no extension inputs). */
export function buildTinyUnet(options: TinyUnetOptions): Uint8Array {
  const parts = buildTinyUnetParts(options);
  return parts.finish(parts.features);
}
