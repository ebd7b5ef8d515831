import { GraphBuilder } from '@viwo/onnx';
import { jsonFile, type TinyModelFiles } from './tiny-model-files.ts';
import { tinySdModelFiles } from './tiny-sd-model.ts';
import { tinyTokenizerFiles } from './tiny-tokenizer-files.ts';
import { buildTinyUnetParts } from './tiny-unet.ts';
import { buildTinyVaeDecoder, buildTinyVaeEncoder } from './tiny-vae.ts';
import { TinyWeights } from './tiny-weights.ts';

/** Hidden width of each tiny SDXL text encoder (real: 768 for CLIP-L, 1280 for OpenCLIP-G). */
export const TINY_SDXL_ENCODER_HIDDEN = [24, 40] as const;
/** Width of the concatenated penultimate hidden states the UNet attends to (real: 2048). */
export const TINY_SDXL_CONTEXT = TINY_SDXL_ENCODER_HIDDEN[0] + TINY_SDXL_ENCODER_HIDDEN[1];
/** SDXL's VAE scaling factor. */
export const SDXL_SCALING_FACTOR = 0.13025;
const TOKEN_ROWS = 512;
const MAX_POSITIONS = 77;
const FEATURES = 16;
const TIME_IDS = 6;
const ONNX_INT64 = 7;

/**
 * A tiny SDXL text encoder with the export contract: `input_ids int32 [batch, sequence]` →
 * `last_hidden_state`, `hidden_states.0..2` (embeddings, one layer, final), and `pooler_output`
 * (encoder 1) or the projected `text_embeds` (encoder 2, with projection width = hidden).
 * The pipeline uses the penultimate `hidden_states.N` (N = last index − 1), as SDXL does.
 */
export function buildTinySdxlTextEncoder(
  hidden: number,
  seed: number,
  pooled: 'pooler_output' | 'text_embeds',
): Uint8Array {
  const weights = new TinyWeights(seed);
  const graph = new GraphBuilder('tiny_sdxl_text_encoder');
  const ids = graph.input('input_ids', 'int32', ['batch', 'sequence']);
  const rows = graph.op('Mod', [
    graph.op('Cast', [ids], { to: ONNX_INT64 }),
    graph.initializer('rows', 'int64', [], [TOKEN_ROWS]),
  ]);
  const tokens = graph.op('Gather', [
    graph.initializer(
      'token_embedding',
      'float32',
      [TOKEN_ROWS, hidden],
      weights.normal(TOKEN_ROWS * hidden, 1),
    ),
    rows,
  ]);
  const sequence = graph.op('Slice', [
    graph.op('Shape', [ids]),
    graph.initializer('one', 'int64', [1], [1]),
    graph.initializer('two', 'int64', [1], [2]),
  ]);
  const zero = graph.initializer('zero', 'int64', [1], [0]);
  const positions = graph.op('Slice', [
    graph.initializer(
      'position_embedding',
      'float32',
      [MAX_POSITIONS, hidden],
      weights.normal(MAX_POSITIONS * hidden, 1, 0.5),
    ),
    zero,
    sequence,
    zero,
  ]);
  const embedded = graph.op('Add', [tokens, positions]);
  // A causal running mean so later positions depend on earlier tokens (like causal attention).
  const running = graph.op('Div', [
    graph.op('CumSum', [embedded, graph.initializer('axis', 'int64', [], [1])]),
    graph.op('Slice', [
      graph.initializer(
        'counts',
        'float32',
        [MAX_POSITIONS, 1],
        Array.from({ length: MAX_POSITIONS }, (_, index) => index + 1),
      ),
      zero,
      sequence,
      zero,
    ]),
  ]);
  const layer = graph.op('Tanh', [
    graph.op('MatMul', [
      graph.op('Add', [embedded, running]),
      graph.initializer(
        'layer_w',
        'float32',
        [hidden, hidden],
        weights.normal(hidden * hidden, hidden, 1.5),
      ),
    ]),
  ]);
  const final = graph.op(
    'LayerNormalization',
    [
      layer,
      graph.initializer('ln_scale', 'float32', [hidden], new Array(hidden).fill(1)),
      graph.initializer('ln_bias', 'float32', [hidden], new Array(hidden).fill(0)),
    ],
    { axis: -1, epsilon: { float: 1e-5 } },
  );
  const sequenceShape = ['batch', 'sequence', hidden];
  graph.output('last_hidden_state', final, 'float32', sequenceShape);
  graph.output('hidden_states.0', embedded, 'float32', sequenceShape);
  graph.output('hidden_states.1', layer, 'float32', sequenceShape);
  graph.output('hidden_states.2', final, 'float32', sequenceShape);
  const mean = graph.op('ReduceMean', [final], { axes: [1], keepdims: 0 });
  const pooledValue =
    pooled === 'text_embeds'
      ? graph.op('MatMul', [
          mean,
          graph.initializer(
            'text_projection',
            'float32',
            [hidden, hidden],
            weights.normal(hidden * hidden, hidden),
          ),
        ])
      : mean;
  graph.output(pooled, pooledValue, 'float32', ['batch', hidden]);
  return graph.toBytes();
}

/**
 * The tiny SDXL UNet: the tiny denoiser over the concatenated context, plus SDXL's added
 * conditioning inputs `text_embeds float32 [batch, pooled]` and `time_ids float32 [batch, 6]`
 * projected into its features (so both really change the output). With `timestepCondWidth`, also
 * the LCM guidance embedding input `timestep_cond float32 [batch, width]`.
 */
export function buildTinySdxlUnet(seed: number, timestepCondWidth?: number): Uint8Array {
  const parts = buildTinyUnetParts({
    timestep: 'float32',
    prediction: 'epsilon',
    textHidden: TINY_SDXL_CONTEXT,
    seed,
  });
  const { graph, weights } = parts;
  const pooledWidth = TINY_SDXL_ENCODER_HIDDEN[1];
  const textEmbeds = graph.input('text_embeds', 'float32', ['batch', pooledWidth]);
  const timeIds = graph.input('time_ids', 'float32', ['batch', TIME_IDS]);
  // Sizes are in pixels (hundreds); scale them to unit range before the projection.
  const scaledIds = graph.op('Div', [
    timeIds,
    graph.initializer('time_scale', 'float32', [], [1024]),
  ]);
  const conditions = [textEmbeds, scaledIds];
  let conditionWidth = pooledWidth + TIME_IDS;
  if (timestepCondWidth !== undefined) {
    // LCM-distilled UNets add a guidance embedding `timestep_cond [batch, width]`.
    conditions.push(graph.input('timestep_cond', 'float32', ['batch', timestepCondWidth]));
    conditionWidth += timestepCondWidth;
  }
  const added = graph.op('MatMul', [
    graph.op('Concat', conditions, { axis: 1 }),
    graph.initializer(
      'add_embedding_w',
      'float32',
      [conditionWidth, FEATURES],
      weights.normal(conditionWidth * FEATURES, conditionWidth, 0.5),
    ),
  ]);
  const broadcast = graph.op('Reshape', [
    graph.op('Tanh', [added]),
    graph.initializer('add_shape', 'int64', [4], [-1, FEATURES, 1, 1]),
  ]);
  return parts.finish(graph.op('Add', [parts.features, broadcast]));
}

/**
 * All files of a tiny SDXL model in Optimum's layout: `text_encoder/`, `text_encoder_2/`,
 * `tokenizer/`, `tokenizer_2/`, `unet/` (with `text_embeds`/`time_ids`), VAE with scaling 0.13025
 * and `force_zeros_for_empty_prompt` in `model_index.json`. `turbo` gives the SDXL-Turbo variant
 * (Euler ancestral, trailing spacing, family `sdxl-turbo`).
 */
export function tinySdxlModelFiles(turbo = false, seed = 2024): TinyModelFiles {
  const base = tinySdModelFiles('sd15', { seed });
  const tokenizer = tinyTokenizerFiles('!');
  const vaeConfig = {
    _class_name: 'AutoencoderKL',
    latent_channels: 4,
    in_channels: 3,
    out_channels: 3,
    sample_size: 1024,
    scaling_factor: SDXL_SCALING_FACTOR,
  };
  const onnxComponent = ['diffusers', 'OnnxRuntimeModel'];
  const scheduler = turbo
    ? { _class_name: 'EulerAncestralDiscreteScheduler', timestep_spacing: 'trailing' }
    : { _class_name: 'EulerDiscreteScheduler', timestep_spacing: 'leading', steps_offset: 1 };
  const files: TinyModelFiles = { ...base };
  for (const key of Object.keys(files)) if (key.startsWith('tokenizer/')) delete files[key];
  const encoderConfig = (hidden: number, architecture: string) =>
    jsonFile({
      architectures: [architecture],
      model_type: 'clip_text_model',
      hidden_size: hidden,
      num_hidden_layers: 2,
      max_position_embeddings: MAX_POSITIONS,
      vocab_size: 49408,
    });
  for (const folder of ['tokenizer', 'tokenizer_2']) {
    for (const [name, content] of Object.entries(tokenizer)) files[`${folder}/${name}`] = content;
  }
  return {
    ...files,
    'model_index.json': jsonFile({
      _class_name: 'ORTStableDiffusionXLPipeline',
      _diffusers_version: '0.30.0',
      text_encoder: onnxComponent,
      text_encoder_2: onnxComponent,
      unet: onnxComponent,
      vae_decoder: onnxComponent,
      vae_encoder: onnxComponent,
      tokenizer: ['transformers', 'CLIPTokenizer'],
      tokenizer_2: ['transformers', 'CLIPTokenizer'],
      scheduler: ['diffusers', scheduler._class_name],
      force_zeros_for_empty_prompt: true,
    }),
    'text_encoder/model.onnx': buildTinySdxlTextEncoder(
      TINY_SDXL_ENCODER_HIDDEN[0],
      seed + 11,
      'pooler_output',
    ),
    'text_encoder/config.json': encoderConfig(TINY_SDXL_ENCODER_HIDDEN[0], 'CLIPTextModel'),
    'text_encoder_2/model.onnx': buildTinySdxlTextEncoder(
      TINY_SDXL_ENCODER_HIDDEN[1],
      seed + 12,
      'text_embeds',
    ),
    'text_encoder_2/config.json': encoderConfig(
      TINY_SDXL_ENCODER_HIDDEN[1],
      'CLIPTextModelWithProjection',
    ),
    'unet/model.onnx': buildTinySdxlUnet(seed + 2),
    'unet/config.json': jsonFile({
      _class_name: 'UNet2DConditionModel',
      in_channels: 4,
      out_channels: 4,
      sample_size: 128,
      cross_attention_dim: TINY_SDXL_CONTEXT,
      addition_embed_type: 'text_time',
      projection_class_embeddings_input_dim: TINY_SDXL_ENCODER_HIDDEN[1] + TIME_IDS * 256,
    }),
    'vae_decoder/model.onnx': buildTinyVaeDecoder(seed + 3, SDXL_SCALING_FACTOR),
    'vae_decoder/config.json': jsonFile(vaeConfig),
    'vae_encoder/model.onnx': buildTinyVaeEncoder(seed + 3, 'latent_sample', SDXL_SCALING_FACTOR),
    'vae_encoder/config.json': jsonFile(vaeConfig),
    'scheduler/scheduler_config.json': jsonFile({
      beta_start: 0.00085,
      beta_end: 0.012,
      beta_schedule: 'scaled_linear',
      num_train_timesteps: 1000,
      prediction_type: 'epsilon',
      ...scheduler,
    }),
    'viwo-model.json': jsonFile({
      label: `Tiny test model (${turbo ? 'sdxl-turbo' : 'sdxl'}, random weights)`,
      family: turbo ? 'sdxl-turbo' : 'sdxl',
      test: true,
      source: 'generated by @viwo/plugin-diffusers tiny-models',
    }),
  };
}
