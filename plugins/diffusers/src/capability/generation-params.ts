import type { CapabilityParam } from '@viwo/core';
import { LIMITS } from '../pipeline/generation-request.ts';

/**
 * The options-object fields shared by every generation method. Model-dependent defaults (steps,
 * guidance, size, scheduler) are left out of metadata on purpose: the method fills them from the
 * chosen model's family (e.g. Turbo: 1 step, guidance 0).
 */
export function generationOptionFields(
  modelIds: string[],
  schedulers: string[],
  defaultModel?: string,
): CapabilityParam[] {
  return [
    {
      name: 'model_id',
      type: 'enum',
      label: 'Model',
      description: 'Installed model to use (test models are tiny random-weight models)',
      options: modelIds,
      optional: true,
      ...(defaultModel ? { description: `Installed model to use; default ${defaultModel}` } : {}),
    },
    {
      name: 'steps',
      type: 'integer',
      label: 'Steps',
      description: 'Sampling steps (model default when omitted)',
      min: 1,
      max: LIMITS.maxSteps,
      optional: true,
    },
    {
      name: 'guidance_scale',
      type: 'number',
      label: 'Guidance scale',
      description: 'Classifier-free guidance; on only above 1 (Turbo models use 0)',
      min: 0,
      max: LIMITS.maxGuidance,
      step: 0.5,
      optional: true,
    },
    {
      name: 'strength',
      type: 'number',
      label: 'Strength',
      description: 'How much of the input image to repaint (img2img)',
      min: 0,
      max: 1,
      step: 0.05,
      optional: true,
    },
    {
      name: 'scheduler',
      type: 'enum',
      label: 'Sampler',
      description: 'Sampling scheduler',
      options: schedulers,
      optional: true,
    },
    {
      name: 'seed',
      type: 'seed',
      label: 'Seed',
      description: 'Random seed; batch item i uses seed + i (random when omitted)',
      min: 0,
      optional: true,
    },
    {
      name: 'width',
      type: 'integer',
      label: 'Width',
      description: 'Output width in pixels (padded for the model, cropped back)',
      min: LIMITS.minSize,
      max: LIMITS.maxSize,
      step: 8,
      optional: true,
    },
    {
      name: 'height',
      type: 'integer',
      label: 'Height',
      description: 'Output height in pixels (padded for the model, cropped back)',
      min: LIMITS.minSize,
      max: LIMITS.maxSize,
      step: 8,
      optional: true,
    },
    {
      name: 'negative_prompt',
      type: 'text',
      label: 'Negative prompt',
      description: 'What to steer away from (used when guidance > 1)',
      optional: true,
    },
    {
      name: 'prompt_2',
      type: 'text',
      label: 'Prompt 2',
      description: 'Prompt for the second text encoder (SDXL models)',
      optional: true,
    },
    {
      name: 'negative_prompt_2',
      type: 'text',
      label: 'Negative prompt 2',
      description: 'Negative prompt for the second text encoder (SDXL models)',
      optional: true,
    },
    {
      name: 'max_compute',
      type: 'number',
      label: 'Max compute',
      description: 'Refuse when width·height·steps·batch/1e6 exceeds this',
      min: 0,
      optional: true,
    },
    {
      name: 'batch_size',
      type: 'integer',
      label: 'Batch size',
      description: 'Images to generate (seeds seed … seed + n − 1)',
      min: 1,
      max: LIMITS.maxBatch,
      optional: true,
    },
  ];
}
