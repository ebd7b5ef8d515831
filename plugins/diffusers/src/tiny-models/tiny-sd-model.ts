import { DEFAULT_SCHEDULER_CONFIG } from '../schedulers/scheduler.ts';
import { jsonFile, type TinyModelFiles } from './tiny-model-files.ts';
import { buildTinyTextEncoder, TINY_TEXT_HIDDEN } from './tiny-text-encoder.ts';
import { tinyTokenizerFiles } from './tiny-tokenizer-files.ts';
import { buildTinyUnet } from './tiny-unet.ts';
import { buildTinyVaeDecoder, buildTinyVaeEncoder } from './tiny-vae.ts';

/** Tiny model variants mirroring the real export families. */
export type TinySdVariant = 'sd15' | 'sd2' | 'sd-turbo';

/** Per-variant export details, taken from the real exports' contracts (see NOTES.md). */
const VARIANTS: Record<
  TinySdVariant,
  {
    family: 'sd1' | 'sd2' | 'sd-turbo';
    idsType: 'int32' | 'int64';
    timestep: 'int64' | 'float32';
    prediction: 'epsilon' | 'v_prediction';
    padToken: '<|endoftext|>' | '!';
    encoderOutput: 'latent_sample' | 'latent_parameters';
    scheduler: Record<string, unknown>;
    sampleSize: number;
  }
> = {
  sd15: {
    family: 'sd1',
    idsType: 'int32',
    timestep: 'int64',
    prediction: 'epsilon',
    padToken: '<|endoftext|>',
    encoderOutput: 'latent_sample',
    scheduler: {
      _class_name: 'PNDMScheduler',
      skip_prk_steps: true,
      timestep_spacing: 'leading',
      steps_offset: 1,
    },
    sampleSize: 64,
  },
  sd2: {
    family: 'sd2',
    idsType: 'int64',
    timestep: 'float32',
    prediction: 'v_prediction',
    padToken: '!',
    encoderOutput: 'latent_parameters',
    scheduler: {
      _class_name: 'DDIMScheduler',
      timestep_spacing: 'leading',
      steps_offset: 1,
      clip_sample: false,
    },
    sampleSize: 96,
  },
  'sd-turbo': {
    family: 'sd-turbo',
    idsType: 'int64',
    timestep: 'float32',
    prediction: 'epsilon',
    padToken: '!',
    encoderOutput: 'latent_parameters',
    scheduler: {
      _class_name: 'EulerDiscreteScheduler',
      timestep_spacing: 'trailing',
      steps_offset: 1,
    },
    sampleSize: 64,
  },
};

/** Options for {@link tinySdModelFiles}. */
export interface TinySdOptions {
  /** Weight seed (different seeds give different "models"). */
  seed?: number;
  /** Overrides the variant's prediction type (e.g. a v-prediction SD 1.x-layout model). */
  prediction?: 'epsilon' | 'v_prediction';
  /** Half-precision UNet I/O, as fp16 exports have. */
  precision?: 'float32' | 'float16';
}

/**
 * All files of a tiny Stable Diffusion model in Optimum's ONNX layout: `model_index.json`,
 * `text_encoder/`, `unet/`, `vae_decoder/`, `vae_encoder/`, `tokenizer/`, `scheduler/`, each with
 * its `config.json`, plus `viwo-model.json` labelling it a test model. Deterministic: the same
 * variant and seed give byte-identical files.
 */
export function tinySdModelFiles(
  variant: TinySdVariant,
  options: TinySdOptions = {},
): TinyModelFiles {
  const spec = VARIANTS[variant];
  const seed = options.seed ?? 1234;
  const prediction = options.prediction ?? spec.prediction;
  const scalingFactor = 0.18215;
  const tokenizer = tinyTokenizerFiles(spec.padToken);
  const vaeConfig = {
    _class_name: 'AutoencoderKL',
    latent_channels: 4,
    in_channels: 3,
    out_channels: 3,
    sample_size: spec.sampleSize * 8,
    scaling_factor: scalingFactor,
  };
  const onnxComponent = ['diffusers', 'OnnxRuntimeModel'];
  return {
    'model_index.json': jsonFile({
      _class_name: 'OnnxStableDiffusionPipeline',
      _diffusers_version: '0.30.0',
      text_encoder: onnxComponent,
      unet: onnxComponent,
      vae_decoder: onnxComponent,
      vae_encoder: onnxComponent,
      tokenizer: ['transformers', 'CLIPTokenizer'],
      scheduler: ['diffusers', String(spec.scheduler._class_name)],
      safety_checker: [null, null],
      feature_extractor: [null, null],
      requires_safety_checker: false,
    }),
    'text_encoder/model.onnx': buildTinyTextEncoder({ idsType: spec.idsType, seed: seed + 1 }),
    'text_encoder/config.json': jsonFile({
      architectures: ['CLIPTextModel'],
      model_type: 'clip_text_model',
      hidden_size: TINY_TEXT_HIDDEN,
      max_position_embeddings: 77,
      vocab_size: 49408,
      pad_token_id: spec.padToken === '!' ? 0 : 49407,
    }),
    'unet/model.onnx': buildTinyUnet({
      timestep: spec.timestep,
      prediction,
      textHidden: TINY_TEXT_HIDDEN,
      seed: seed + 2,
      precision: options.precision,
    }),
    'unet/config.json': jsonFile({
      _class_name: 'UNet2DConditionModel',
      in_channels: 4,
      out_channels: 4,
      sample_size: spec.sampleSize,
      cross_attention_dim: TINY_TEXT_HIDDEN,
    }),
    'vae_decoder/model.onnx': buildTinyVaeDecoder(seed + 3, scalingFactor),
    'vae_decoder/config.json': jsonFile(vaeConfig),
    'vae_encoder/model.onnx': buildTinyVaeEncoder(seed + 3, spec.encoderOutput, scalingFactor),
    'vae_encoder/config.json': jsonFile(vaeConfig),
    'tokenizer/vocab.json': tokenizer['vocab.json'],
    'tokenizer/merges.txt': tokenizer['merges.txt'],
    'tokenizer/special_tokens_map.json': tokenizer['special_tokens_map.json'],
    'tokenizer/tokenizer_config.json': tokenizer['tokenizer_config.json'],
    'scheduler/scheduler_config.json': jsonFile({
      beta_start: DEFAULT_SCHEDULER_CONFIG.beta_start,
      beta_end: DEFAULT_SCHEDULER_CONFIG.beta_end,
      beta_schedule: 'scaled_linear',
      num_train_timesteps: 1000,
      set_alpha_to_one: false,
      prediction_type: prediction,
      ...spec.scheduler,
    }),
    'viwo-model.json': jsonFile({
      label: `Tiny test model (${variant}, random weights)`,
      family: spec.family,
      test: true,
      source: 'generated by @viwo/plugin-diffusers tiny-models',
    }),
  };
}

/** Ids of the tiny SD layouts; the first is the default test model. */
export const TINY_SD_MODEL_IDS = ['tiny-sd15', 'tiny-sd2', 'tiny-sd-turbo'] as const;
