import { type ObjectValue, param } from '@viwo/core';
import type { DiffusersModelInfo } from '../models/model-info.ts';
import { schedulerNames } from '../schedulers/create-scheduler.ts';

/** Bounds of the generation options (also the metadata's min/max). */
export const LIMITS = {
  maxSteps: 150,
  maxBatch: 8,
  minSize: 64,
  maxSize: 4096,
  maxGuidance: 30,
  maxRegions: 8,
};

/** Where a method's generation options get their live parts from. */
export interface GenerationFieldSource {
  /** Ids of the installed models the method offers (read whenever metadata or a call needs it). */
  models(): string[];
  /** The model used when a call names none; its family's defaults are the ones shown. */
  defaultModel(): DiffusersModelInfo | undefined;
  /** The output size defaults to the input image's (img2img, inpaint, ControlNet). */
  sizeFromInput?: boolean;
  /** The strength used when none is given, for methods that repaint an input. */
  strength?: number;
}

/**
 * The options every generation method takes (ARCHITECTURE.md "Capability method conventions"),
 * declared once. Model-dependent defaults (steps, guidance, sampler, size, model) are implicit:
 * metadata shows the default model's values, and the method fills them from the model actually
 * chosen (a Turbo model defaults to 1 step and guidance 0).
 */
export function generationFields(source: GenerationFieldSource) {
  const model = () => source.defaultModel();
  const size = () => (source.sizeFromInput ? undefined : model()?.nativeSize);
  return {
    model_id: param.enum(() => source.models(), {
      label: 'Model',
      description: 'Installed model to use (test models are tiny random-weight models)',
      implicitDefault: () => model()?.id,
    }),
    steps: param.integer({
      label: 'Steps',
      description: "Sampling steps (default: the model family's)",
      min: 1,
      max: LIMITS.maxSteps,
      implicitDefault: () => model()?.defaults.steps,
    }),
    guidance_scale: param.number({
      label: 'Guidance scale',
      description: 'Classifier-free guidance; on only above 1 (Turbo models use 0)',
      min: 0,
      max: LIMITS.maxGuidance,
      step: 0.5,
      implicitDefault: () => model()?.defaults.guidanceScale,
    }),
    strength: param.number({
      label: 'Strength',
      description: 'How much of the input image to repaint (img2img)',
      min: 0,
      max: 1,
      step: 0.05,
      implicitDefault: source.strength,
    }),
    scheduler: param.enum(schedulerNames, {
      label: 'Sampler',
      description: 'Sampling scheduler',
      implicitDefault: () => model()?.defaults.scheduler,
    }),
    seed: param.seed({
      label: 'Seed',
      description: 'Random seed; batch item i uses seed + i (random when omitted)',
      min: 0,
      optional: true,
    }),
    width: param.integer({
      label: 'Width',
      description: `Output width in pixels (padded for the model, cropped back)${source.sizeFromInput ? '; default: the input width' : ''}`,
      min: LIMITS.minSize,
      max: LIMITS.maxSize,
      step: 8,
      implicitDefault: size,
    }),
    height: param.integer({
      label: 'Height',
      description: `Output height in pixels (padded for the model, cropped back)${source.sizeFromInput ? '; default: the input height' : ''}`,
      min: LIMITS.minSize,
      max: LIMITS.maxSize,
      step: 8,
      implicitDefault: size,
    }),
    negative_prompt: param.text({
      label: 'Negative prompt',
      description: 'What to steer away from (used when guidance > 1)',
      optional: true,
    }),
    prompt_2: param.text({
      label: 'Prompt 2',
      description: 'Prompt for the second text encoder (SDXL models)',
      optional: true,
    }),
    negative_prompt_2: param.text({
      label: 'Negative prompt 2',
      description: 'Negative prompt for the second text encoder (SDXL models)',
      optional: true,
    }),
    max_compute: param.number({
      label: 'Max compute',
      description: 'Refuse when width·height·steps·batch/1e6 exceeds this',
      min: 0,
      optional: true,
    }),
    regions: param.list(
      param.object(
        {
          mask: param.mask({
            label: 'Mask',
            description: 'Where this region is: white marks it (as for inpaint masks)',
          }),
          prompt: param.text({ label: 'Prompt', description: 'What this region shows' }),
          negative_prompt: param.text({
            label: 'Negative prompt',
            description: "What to keep out of this region (default: the base negative prompt's)",
            optional: true,
          }),
          strength: param.number({
            label: 'Strength',
            description: 'How strongly the region prompt replaces the base prompt inside the mask',
            min: 0,
            max: 1,
            step: 0.05,
            default: 1,
          }),
        },
        { name: 'region' },
      ),
      {
        label: 'Regions',
        description:
          'Regional prompts: each steers its masked part with its own prompt (one more UNet evaluation per region per step; SD 1.x/2.x models)',
        optional: true,
        max: LIMITS.maxRegions,
      },
    ),
    batch_size: param.integer({
      label: 'Batch size',
      description: 'Images to generate (seeds seed … seed + n − 1)',
      min: 1,
      max: LIMITS.maxBatch,
      default: 1,
    }),
  };
}

/** The validated generation options a method receives (core filled the declared defaults). */
export type GenerationOptions = ObjectValue<ReturnType<typeof generationFields>>;
