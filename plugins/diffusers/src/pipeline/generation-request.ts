import { CapabilityError } from '@viwo/core';
import type { DiffusersModelInfo } from '../models/model-info.ts';
import { schedulerNames } from '../schedulers/create-scheduler.ts';

/** Option keys shared by every generation method (ARCHITECTURE.md "Capability method conventions"). */
export const GENERATION_OPTION_KEYS = [
  'model_id',
  'steps',
  'guidance_scale',
  'strength',
  'scheduler',
  'seed',
  'width',
  'height',
  'negative_prompt',
  'prompt_2',
  'negative_prompt_2',
  'max_compute',
  'batch_size',
] as const;

/** The options object as a caller passes it (all optional). */
export type GenerationOptions = Partial<{
  model_id: string;
  steps: number;
  guidance_scale: number;
  strength: number;
  scheduler: string;
  seed: number;
  width: number;
  height: number;
  negative_prompt: string;
  prompt_2: string;
  negative_prompt_2: string;
  max_compute: number;
  batch_size: number;
}>;

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
}

/** Upper bounds checked here (the core also checks metadata bounds). */
export const LIMITS = { maxSteps: 150, maxBatch: 8, minSize: 64, maxSize: 4096, maxGuidance: 30 };

/** Error for bad options; carries the option key so the message names it. */
export class InvalidOptionError extends CapabilityError {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super('InvalidArgument', message);
    this.name = 'InvalidOptionError';
  }
}

/**
 * Checks an options object strictly (unknown keys and wrong types name the key) and fills
 * defaults from the model's family. `extraKeys` lets other methods (inpaint, ControlNet) accept
 * their own keys on top of the shared ones.
 */
export function resolveGeneration(
  prompt: unknown,
  rawOptions: unknown,
  pickModel: (id?: string) => DiffusersModelInfo,
  defaults: { width?: number; height?: number; strength?: number } = {},
  extraKeys: readonly string[] = [],
): ResolvedGeneration {
  if (typeof prompt !== 'string')
    throw new InvalidOptionError('prompt', `prompt must be a string, got ${describe(prompt)}`);
  const options = (rawOptions ?? {}) as Record<string, unknown>;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidOptionError(
      'options',
      `options must be an object, got ${describe(rawOptions)}`,
    );
  }
  const allowed = new Set<string>([...GENERATION_OPTION_KEYS, ...extraKeys]);
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) {
      throw new InvalidOptionError(
        key,
        `unknown option '${key}' (allowed: ${[...allowed].join(', ')})`,
      );
    }
  }
  const model = pickModel(optionalString(options, 'model_id'));
  const size = defaults.width ?? model.nativeSize;
  const schedulerName = optionalString(options, 'scheduler') ?? model.defaults.scheduler;
  if (!schedulerNames().includes(schedulerName)) {
    throw new InvalidOptionError(
      'scheduler',
      `unknown scheduler '${schedulerName}' (known: ${schedulerNames().join(', ')})`,
    );
  }
  const seed = optionalInteger(options, 'seed', 0, Number.MAX_SAFE_INTEGER) ?? randomSeed();
  const width = optionalInteger(options, 'width', LIMITS.minSize, LIMITS.maxSize) ?? size;
  const height =
    optionalInteger(options, 'height', LIMITS.minSize, LIMITS.maxSize) ?? defaults.height ?? size;
  // Defaults come from the input image for img2img; they must respect the same bounds.
  for (const [key, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (value < 8 || value > LIMITS.maxSize) {
      throw new InvalidOptionError(
        key,
        `${key} ${value} (from the input image) is outside 8..${LIMITS.maxSize}; pass '${key}' to resize`,
      );
    }
  }
  return {
    model,
    prompt,
    negativePrompt: optionalString(options, 'negative_prompt') ?? '',
    prompt2: optionalString(options, 'prompt_2'),
    negativePrompt2: optionalString(options, 'negative_prompt_2'),
    steps: optionalInteger(options, 'steps', 1, LIMITS.maxSteps) ?? model.defaults.steps,
    guidanceScale:
      optionalNumber(options, 'guidance_scale', 0, LIMITS.maxGuidance) ??
      model.defaults.guidanceScale,
    strength: optionalNumber(options, 'strength', 0, 1) ?? defaults.strength ?? 0.75,
    scheduler: schedulerName,
    seed,
    width,
    height,
    batchSize: optionalInteger(options, 'batch_size', 1, LIMITS.maxBatch) ?? 1,
  };
}

/** Compute in megapixel-steps: `width · height · steps / 1e6`, times the batch size. */
export function generationCost(
  generation: Pick<ResolvedGeneration, 'width' | 'height' | 'steps' | 'batchSize'>,
): number {
  return (generation.width * generation.height * generation.steps * generation.batchSize) / 1e6;
}

/** Reads `max_compute` (a caller's own cap on the cost), if given. */
export function maxComputeOption(rawOptions: unknown): number | undefined {
  if (typeof rawOptions !== 'object' || rawOptions === null) return undefined;
  return optionalNumber(
    rawOptions as Record<string, unknown>,
    'max_compute',
    0,
    Number.MAX_SAFE_INTEGER,
  );
}

/** Refusal of a call whose compute exceeds the caller's `max_compute`. */
export class BudgetError extends CapabilityError {
  constructor(message: string) {
    super('BudgetExceeded', message);
    this.name = 'BudgetError';
  }
}

function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}

function optionalString(options: Record<string, unknown>, key: string): string | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new InvalidOptionError(key, `option '${key}' must be a string, got ${describe(value)}`);
  return value;
}

function optionalNumber(
  options: Record<string, unknown>,
  key: string,
  min: number,
  max: number,
): number | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidOptionError(key, `option '${key}' must be a number, got ${describe(value)}`);
  }
  if (value < min || value > max)
    throw new InvalidOptionError(key, `option '${key}' must be in ${min}..${max}, got ${value}`);
  return value;
}

function optionalInteger(
  options: Record<string, unknown>,
  key: string,
  min: number,
  max: number,
): number | undefined {
  const value = optionalNumber(options, key, min, max);
  if (value !== undefined && !Number.isInteger(value)) {
    throw new InvalidOptionError(key, `option '${key}' must be an integer, got ${value}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? `"${value.slice(0, 40)}"` : typeof value;
}
