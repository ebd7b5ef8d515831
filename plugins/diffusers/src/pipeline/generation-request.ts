import { CapabilityError, type ImageValue } from '@viwo/core';
import { type GenerationOptions, LIMITS } from '../capability/generation-params.ts';
import type { DiffusersModelInfo } from '../models/model-info.ts';

/** Every value a generation uses, after defaults; recorded in PNG metadata. */
export interface ResolvedGeneration {
  model: DiffusersModelInfo;
  prompt: string;
  negativePrompt: string;
  prompt2?: string;
  negativePrompt2?: string;
  steps: number;
  guidanceScale: number;
  strength: number;
  scheduler: string;
  seed: number;
  width: number;
  height: number;
  batchSize: number;
  /** Regional prompts (empty when none): each steers its mask with its own prompt. */
  regions: RegionRequest[];
}

/** One regional prompt of a generation. */
export interface RegionRequest {
  mask: ImageValue;
  prompt: string;
  negativePrompt?: string;
  /** 0–1: the region prompt's weight inside the mask. */
  strength: number;
}

/** Defaults a method supplies from its input (image size, its own strength). */
export interface GenerationDefaults {
  width?: number;
  height?: number;
  strength?: number;
}

/**
 * Fills what the options leave out from the chosen model's family (steps, guidance, sampler,
 * size) and the method's defaults. The options were validated by core against the declaration
 * (`generationFields`), so only what metadata cannot express is checked here: a size taken from
 * an input image must itself be within bounds.
 */
export function resolveGeneration(
  prompt: string,
  options: Partial<GenerationOptions>,
  model: DiffusersModelInfo,
  defaults: GenerationDefaults = {},
): ResolvedGeneration {
  const width = options.width ?? defaults.width ?? model.nativeSize;
  const height = options.height ?? defaults.height ?? model.nativeSize;
  for (const [key, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (value < 8 || value > LIMITS.maxSize) {
      throw new CapabilityError(
        'InvalidArgument',
        `${value} (from the input image) is outside 8..${LIMITS.maxSize}; pass '${key}' to resize`,
        { param: `options.${key}` },
      );
    }
  }
  return {
    model,
    prompt,
    negativePrompt: options.negative_prompt ?? '',
    prompt2: options.prompt_2,
    negativePrompt2: options.negative_prompt_2,
    steps: options.steps ?? model.defaults.steps,
    guidanceScale: options.guidance_scale ?? model.defaults.guidanceScale,
    strength: options.strength ?? defaults.strength ?? 0.75,
    scheduler: options.scheduler ?? model.defaults.scheduler,
    seed: options.seed ?? randomSeed(),
    width,
    height,
    batchSize: options.batch_size ?? 1,
    regions: (options.regions ?? []).map((region) => ({
      mask: region.mask as ImageValue,
      prompt: region.prompt,
      ...(region.negative_prompt === undefined ? {} : { negativePrompt: region.negative_prompt }),
      strength: region.strength,
    })),
  };
}

/**
 * Compute in megapixel-steps: `width · height · steps / 1e6`, times the batch size, times one
 * more UNet evaluation per regional prompt.
 */
export function generationCost(
  generation: Pick<ResolvedGeneration, 'width' | 'height' | 'steps' | 'batchSize'> & {
    regions?: readonly unknown[];
  },
): number {
  const evaluations = 1 + (generation.regions?.length ?? 0);
  return (
    (generation.width * generation.height * generation.steps * generation.batchSize * evaluations) /
    1e6
  );
}

function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}
