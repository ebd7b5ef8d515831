import { param } from '@viwo/core';

/** Model used when a call names none: FLUX.1 [dev] on Runware. */
export const DEFAULT_IMAGE_MODEL = 'runware:101@1';
/** Background-removal model used when a call names none (RemBG 1.4). */
export const DEFAULT_BACKGROUND_MODEL = 'runware:109@1';
/** Runware's size grid: dimensions are multiples of 64 from 128 up to 2048. */
export const SIZE_GRID = 64;
export const MIN_RUNWARE_SIZE = 128;
export const MAX_RUNWARE_SIZE = 2048;
/** Most images one call may ask for (`numberResults`). */
export const MAX_BATCH = 4;

/** A built-in suggestion: an AIR id with its name and Runware's catalogue facts. */
export interface PopularModel {
  id: string;
  name: string;
  architecture: string;
  category: string;
}

/** Popular AIR ids, offered as suggestions in the client (any AIR id is accepted). */
export const POPULAR_MODELS: readonly PopularModel[] = [
  { id: 'runware:101@1', name: 'FLUX.1 [dev]', architecture: 'flux1d', category: 'checkpoint' },
  {
    id: 'runware:100@1',
    name: 'FLUX.1 [schnell]',
    architecture: 'flux1s',
    category: 'checkpoint',
  },
  {
    id: 'civitai:4384@128713',
    name: 'DreamShaper 8 (SD 1.5)',
    architecture: 'sd1x',
    category: 'checkpoint',
  },
  {
    id: 'civitai:133005@782002',
    name: 'Juggernaut XL',
    architecture: 'sdxl',
    category: 'checkpoint',
  },
  {
    id: 'civitai:101055@128078',
    name: 'SDXL 1.0 base',
    architecture: 'sdxl',
    category: 'checkpoint',
  },
];

/** Runware parameter → our option name, so Runware's errors name what the caller wrote. */
export const OPTION_NAMES: Readonly<Record<string, string>> = {
  positivePrompt: 'prompt',
  negativePrompt: 'negative_prompt',
  model: 'model_id',
  CFGScale: 'guidance_scale',
  numberResults: 'batch_size',
  steps: 'steps',
  strength: 'strength',
  scheduler: 'scheduler',
  seed: 'seed',
  width: 'width',
  height: 'height',
  seedImage: 'image',
  inputImage: 'image',
  maskImage: 'mask',
  upscaleFactor: 'factor',
  lora: 'lora',
  controlNet: 'controls',
  promptMaxLength: 'max_length',
  duration: 'duration',
  fps: 'fps',
};

const size = (name: 'width' | 'height') =>
  param.integer({
    label: name === 'width' ? 'Width' : 'Height',
    description: `Output ${name}; Runware works on a 64-pixel grid, other sizes are generated larger and cropped back`,
    min: 64,
    max: MAX_RUNWARE_SIZE,
    step: 8,
    optional: true,
  });

const seed = () =>
  param.seed({
    label: 'Seed',
    description: 'Random seed (chosen here when omitted, so a re-sent task repaints the same)',
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    optional: true,
  });

/** The option fields shared by the image-generation methods (local names, Runware meanings). */
const GENERATION_FIELDS = {
  model_id: param.string({
    label: 'Model (AIR id)',
    description: `Runware model as an AIR id (e.g. runware:101@1, civitai:4384@128713); default ${DEFAULT_IMAGE_MODEL}`,
    default: DEFAULT_IMAGE_MODEL,
  }),
  steps: param.integer({
    label: 'Steps',
    description: 'Sampling steps (model default when omitted)',
    min: 1,
    max: 100,
    optional: true,
  }),
  guidance_scale: param.number({
    label: 'Guidance scale',
    description: 'Sent as CFGScale',
    min: 0,
    max: 50,
    step: 0.5,
    optional: true,
  }),
  scheduler: param.string({
    label: 'Sampler',
    description: 'A Runware scheduler name, e.g. "Euler" or "DPM++ 2M Karras"',
    optional: true,
  }),
  seed: seed(),
  width: size('width'),
  height: size('height'),
  negative_prompt: param.text({
    label: 'Negative prompt',
    description: 'What to steer away from',
    optional: true,
  }),
  batch_size: param.integer({
    label: 'Batch size',
    description: 'Images to generate (sent as numberResults)',
    min: 1,
    max: MAX_BATCH,
    optional: true,
  }),
  lora: param.list(
    param.object({
      model: param.string({ label: 'LoRA (AIR id)' }),
      weight: param.number({ label: 'Weight', min: -4, max: 4, default: 1 }),
    }),
    { label: 'LoRAs', description: 'LoRA models as AIR ids with weights', optional: true },
  ),
  controls: param.list(
    param.object({
      image: param.image({ label: 'Guide image' }),
      model: param.string({ label: 'ControlNet (AIR id)' }),
      strength: param.number({ label: 'Strength', min: 0, max: 1, default: 1 }),
    }),
    {
      label: 'ControlNets',
      description: 'Guide images with a ControlNet model (AIR id) and strength',
      optional: true,
    },
  ),
};

const {
  model_id,
  steps,
  guidance_scale,
  scheduler,
  seed: seedField,
  width,
  height,
  ...tail
} = GENERATION_FIELDS;
const STRENGTH = param.number({
  label: 'Strength',
  description: 'How much of the input image to repaint',
  min: 0,
  max: 1,
  step: 0.05,
  optional: true,
});

/** `textToImage` options. */
export const textOptions = param.object(GENERATION_FIELDS, {
  name: 'options',
  label: 'Options',
  description: 'Model, size, sampling and seed',
  optional: true,
});

/** `imageToImage` and `inpaint` options: the generation fields plus `strength`. */
export const imageOptions = param.object(
  {
    model_id,
    steps,
    guidance_scale,
    strength: STRENGTH,
    scheduler,
    seed: seedField,
    width,
    height,
    ...tail,
  },
  {
    name: 'options',
    label: 'Options',
    description: 'Model, strength, size and seed',
    optional: true,
  },
);

/** `outpaint` options: the generation fields without a size (the size follows the image). */
export const outpaintOptions = param.object(
  { model_id, steps, guidance_scale, scheduler, seed: seedField, ...tail },
  { name: 'options', label: 'Options', description: 'Model, sampling and seed', optional: true },
);

/** The prompt positional argument. */
export const PROMPT_PARAM = param.text({
  name: 'prompt',
  label: 'Prompt',
  description: 'What the image shows',
});

/** The input image positional argument. */
export const IMAGE_PARAM = param.image({
  name: 'image',
  label: 'Image',
  description: 'Input image',
});

/** Options of the video methods (the model is required: there is no default video model). */
export const videoOptions = param.object(
  {
    model_id: param.string({
      label: 'Video model (AIR id)',
      description: 'A Runware video model as an AIR id',
    }),
    width: size('width'),
    height: size('height'),
    duration: param.number({
      label: 'Duration (s)',
      description: 'Length of the video in seconds',
      min: 1,
      max: 20,
      step: 1,
      default: 5,
    }),
    fps: param.integer({
      label: 'Frames per second',
      description: 'Model default when omitted',
      min: 1,
      max: 60,
      optional: true,
    }),
    seed: seed(),
    negative_prompt: param.text({ label: 'Negative prompt', optional: true }),
  },
  { name: 'options', label: 'Options', description: 'Video model, size, duration and seed' },
);
