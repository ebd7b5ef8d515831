import type { CapabilityParam } from '@viwo/core';

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

/** Popular AIR ids, offered as suggestions in the client (any AIR id is accepted). */
export const POPULAR_MODELS: readonly { id: string; name: string }[] = [
  { id: 'runware:101@1', name: 'FLUX.1 [dev]' },
  { id: 'runware:100@1', name: 'FLUX.1 [schnell]' },
  { id: 'civitai:4384@128713', name: 'DreamShaper 8 (SD 1.5)' },
  { id: 'civitai:133005@782002', name: 'Juggernaut XL' },
  { id: 'civitai:101055@128078', name: 'SDXL 1.0 base' },
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

const modelId = (fallback?: string): CapabilityParam => ({
  name: 'model_id',
  type: 'string',
  label: 'Model (AIR id)',
  description: fallback
    ? `Runware model as an AIR id (e.g. runware:101@1, civitai:4384@128713); default ${fallback}`
    : 'Runware model as an AIR id',
  ...(fallback ? { default: fallback } : {}),
});

const size = (name: 'width' | 'height'): CapabilityParam => ({
  name,
  type: 'integer',
  label: name === 'width' ? 'Width' : 'Height',
  description: `Output ${name}; Runware works on a 64-pixel grid, other sizes are generated larger and cropped back`,
  min: 64,
  max: MAX_RUNWARE_SIZE,
  step: 8,
  optional: true,
});

/** The option fields shared by the image-generation methods (local names, Runware meanings). */
export function generationFields(withStrength: boolean): CapabilityParam[] {
  const fields: CapabilityParam[] = [
    modelId(DEFAULT_IMAGE_MODEL),
    {
      name: 'steps',
      type: 'integer',
      label: 'Steps',
      description: 'Sampling steps (model default when omitted)',
      min: 1,
      max: 100,
      optional: true,
    },
    {
      name: 'guidance_scale',
      type: 'number',
      label: 'Guidance scale',
      description: 'Sent as CFGScale',
      min: 0,
      max: 50,
      step: 0.5,
      optional: true,
    },
  ];
  if (withStrength) {
    fields.push({
      name: 'strength',
      type: 'number',
      label: 'Strength',
      description: 'How much of the input image to repaint',
      min: 0,
      max: 1,
      step: 0.05,
      optional: true,
    });
  }
  fields.push(
    {
      name: 'scheduler',
      type: 'string',
      label: 'Sampler',
      description: 'A Runware scheduler name, e.g. "Euler" or "DPM++ 2M Karras"',
      optional: true,
    },
    {
      name: 'seed',
      type: 'seed',
      label: 'Seed',
      description: 'Random seed (chosen here when omitted, so a re-sent task repaints the same)',
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
      optional: true,
    },
    size('width'),
    size('height'),
    {
      name: 'negative_prompt',
      type: 'text',
      label: 'Negative prompt',
      description: 'What to steer away from',
      optional: true,
    },
    {
      name: 'batch_size',
      type: 'integer',
      label: 'Batch size',
      description: 'Images to generate (sent as numberResults)',
      min: 1,
      max: MAX_BATCH,
      optional: true,
    },
    {
      name: 'lora',
      type: 'list',
      label: 'LoRAs',
      description: 'LoRA models as AIR ids with weights',
      optional: true,
      items: {
        name: 'lora',
        type: 'object',
        fields: [
          { name: 'model', type: 'string', label: 'LoRA (AIR id)' },
          { name: 'weight', type: 'number', label: 'Weight', min: -4, max: 4, default: 1 },
        ],
      },
    },
    {
      name: 'controls',
      type: 'list',
      label: 'ControlNets',
      description: 'Guide images with a ControlNet model (AIR id) and strength',
      optional: true,
      items: {
        name: 'control',
        type: 'object',
        fields: [
          { name: 'image', type: 'image', label: 'Guide image' },
          { name: 'model', type: 'string', label: 'ControlNet (AIR id)' },
          { name: 'strength', type: 'number', label: 'Strength', min: 0, max: 1, default: 1 },
        ],
      },
    },
  );
  return fields;
}

/** An options param (all fields optional, so the whole object may be left out). */
export function optionsParam(fields: CapabilityParam[], description: string): CapabilityParam {
  return { name: 'options', type: 'object', label: 'Options', description, optional: true, fields };
}

export const PROMPT_PARAM: CapabilityParam = {
  name: 'prompt',
  type: 'text',
  label: 'Prompt',
  description: 'What the image shows',
};

export const IMAGE_PARAM: CapabilityParam = {
  name: 'image',
  type: 'image',
  label: 'Image',
  description: 'Input image',
};

/** Options of the video methods. */
export function videoFields(): CapabilityParam[] {
  return [
    {
      name: 'model_id',
      type: 'string',
      label: 'Video model (AIR id)',
      description: 'A Runware video model as an AIR id',
    },
    size('width'),
    size('height'),
    {
      name: 'duration',
      type: 'number',
      label: 'Duration (s)',
      description: 'Length of the video in seconds',
      min: 1,
      max: 20,
      step: 1,
      default: 5,
    },
    {
      name: 'fps',
      type: 'integer',
      label: 'Frames per second',
      description: 'Model default when omitted',
      min: 1,
      max: 60,
      optional: true,
    },
    {
      name: 'seed',
      type: 'seed',
      label: 'Seed',
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
      optional: true,
    },
    {
      name: 'negative_prompt',
      type: 'text',
      label: 'Negative prompt',
      optional: true,
    },
  ];
}
