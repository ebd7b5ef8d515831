import type { CapabilityCallContext, CapabilityDefinition, ImageValue } from '@viwo/core';
import { modelFolderHash } from '../models/model-hash.ts';
import type { ModelRegistry } from '../models/model-registry.ts';
import {
  BudgetError,
  generationCost,
  InvalidOptionError,
  maxComputeOption,
  type ResolvedGeneration,
  resolveGeneration,
} from '../pipeline/generation-request.ts';
import { a1111Parameters, recordedOptions, viwoChunk } from '../pipeline/png-parameters.ts';
import { type StableDiffusionPipeline, storeItems } from '../pipeline/stable-diffusion-pipeline.ts';
import { schedulerNames } from '../schedulers/create-scheduler.ts';
import { generationOptionFields } from './generation-params.ts';

/** Capability type of text-to-image and image-to-image generation. */
export const GENERATE_CAPABILITY = 'diffusers.generate';

/**
 * Resolves options and enforces the caller's own `max_compute` (the handle's `maxCompute` is
 * enforced by core through `cost()`).
 */
export function resolveWithBudget(
  registry: ModelRegistry,
  prompt: unknown,
  options: unknown,
  defaults: { width?: number; height?: number; strength?: number } = {},
  extraKeys: readonly string[] = [],
): ResolvedGeneration {
  const generation = resolveGeneration(
    prompt,
    options,
    (id) => pickModel(registry, id),
    defaults,
    extraKeys,
  );
  const cap = maxComputeOption(options);
  const cost = generationCost(generation);
  if (cap !== undefined && cost > cap) {
    throw new BudgetError(
      `this generation needs ${cost.toFixed(2)} megapixel-steps (${generation.width}×${generation.height}, ${generation.steps} steps, batch ${generation.batchSize}) but max_compute is ${cap}`,
    );
  }
  return generation;
}

/**
 * The compute a call will use, for core's budget check (which also enforces `max_compute`).
 * Never throws: options that cannot be resolved make `run` fail with the precise error before any
 * compute is spent, so they cost 0 here.
 */
export function estimateCost(
  registry: ModelRegistry,
  prompt: unknown,
  options: unknown,
  defaults: { width?: number; height?: number } = {},
  extraKeys: readonly string[] = [],
): number {
  try {
    const withSeed = { ...(options as object | undefined), seed: 0 };
    return generationCost(
      resolveGeneration(prompt, withSeed, (id) => pickModel(registry, id), defaults, extraKeys),
    );
  } catch {
    return 0;
  }
}

/**
 * Result-cache identity of a generation (see core's `cacheIdentity`): the model folder's content
 * hash and the execution provider, when a seed makes the call deterministic; else undefined.
 */
export async function generationCacheIdentity(
  registry: ModelRegistry,
  options: unknown,
): Promise<string | undefined> {
  const given = options as { seed?: unknown; model_id?: unknown } | undefined;
  if (typeof given?.seed !== 'number') return undefined;
  let model: ReturnType<ModelRegistry['get']>;
  try {
    model = registry.get(typeof given.model_id === 'string' ? given.model_id : undefined);
  } catch {
    return undefined;
  }
  return `diffusers:${process.env.VIWO_EP ?? 'cpu'}:${await modelFolderHash(model.directory)}`;
}

/** `registry.get` with the error as an InvalidArgument naming `model_id`. */
export function pickModel(registry: ModelRegistry, id?: string) {
  try {
    return registry.get(id);
  } catch (error) {
    throw new InvalidOptionError('model_id', (error as Error).message);
  }
}

/**
 * Image-value shape check (as core's `isImageValue`; kept local so this module loads without the
 * runtime, e.g. in benchmarks).
 */
function isImageValue(value: unknown): value is ImageValue {
  const candidate = value as Partial<ImageValue> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.$image === 'string' &&
    /^[0-9a-f]{64}$/.test(candidate.$image) &&
    typeof candidate.width === 'number' &&
    typeof candidate.height === 'number'
  );
}

/** Builds the `diffusers.generate` capability over a pipeline. */
export function createGenerateCapability(pipeline: StableDiffusionPipeline): CapabilityDefinition {
  const registry = pipeline.registry;
  const fields = () =>
    generationOptionFields(
      // Inpainting UNets need a mask and masked image (diffusers.inpaint); not offered here.
      registry
        .list()
        .filter((model) => model.unetInChannels !== 9)
        .map((model) => model.id),
      schedulerNames(),
      registry.defaultModel()?.id,
    );
  const optionsParam = () => ({
    name: 'options',
    type: 'object' as const,
    label: 'Options',
    description: 'Generation options; unknown keys are rejected',
    optional: true,
    fields: fields(),
  });
  const promptParam = {
    name: 'prompt',
    type: 'text' as const,
    label: 'Prompt',
    description: 'What to generate',
  };
  const imageSize = async (context: CapabilityCallContext, image: unknown) => {
    if (!isImageValue(image))
      throw new InvalidOptionError('image', 'image must be an image value {$image, width, height}');
    return context.images.getRaw(image, 3);
  };

  return {
    type: GENERATE_CAPABILITY,
    label: 'Stable Diffusion',
    description:
      'Text-to-image and image-to-image with Stable Diffusion ONNX models on onnxruntime',
    methods: {
      textToImage: {
        label: 'Text to image',
        description: 'Generates images from a prompt',
        get params() {
          return [promptParam, optionsParam()];
        },
        returns: 'image (a list of images when batch_size > 1)',
        cost(args) {
          return estimateCost(registry, args[0], args[1]);
        },
        cacheIdentity: (args) => generationCacheIdentity(registry, args[1]),
        async run(context, prompt, options) {
          await registry.ensureKnown((options as { model_id?: unknown } | undefined)?.model_id);
          const generation = resolveWithBudget(registry, prompt, options);
          const items = await pipeline.generate(generation, context);
          return storeItems(items, context.images, (item) => {
            const recorded = recordedOptions(generation, item.seed);
            return {
              parameters: a1111Parameters(generation, item.seed),
              viwo: viwoChunk(GENERATE_CAPABILITY, 'textToImage', [generation.prompt], recorded),
            };
          });
        },
      },
      imageToImage: {
        label: 'Image to image',
        description: 'Repaints an input image guided by a prompt; strength sets how much changes',
        get params() {
          return [
            {
              name: 'image',
              type: 'image' as const,
              label: 'Image',
              description: 'Starting image',
            },
            promptParam,
            optionsParam(),
          ];
        },
        returns: 'image (a list of images when batch_size > 1)',
        cost(args) {
          const image = args[0] as ImageValue | undefined;
          const defaults = isImageValue(image) ? { width: image.width, height: image.height } : {};
          return estimateCost(registry, args[1], args[2], defaults);
        },
        cacheIdentity: (args) => generationCacheIdentity(registry, args[2]),
        async run(context, image, prompt, options) {
          const input = image as ImageValue;
          const raw = await imageSize(context, input);
          await registry.ensureKnown((options as { model_id?: unknown } | undefined)?.model_id);
          const generation = resolveWithBudget(registry, prompt, options, {
            width: raw.width,
            height: raw.height,
          });
          const items = await pipeline.generate(generation, context, { image: raw });
          return storeItems(items, context.images, (item) => {
            const recorded = {
              ...recordedOptions(generation, item.seed),
              strength: generation.strength,
            };
            return {
              parameters: a1111Parameters(generation, item.seed, {
                'Denoising strength': generation.strength,
              }),
              viwo: viwoChunk(
                GENERATE_CAPABILITY,
                'imageToImage',
                [input, generation.prompt],
                recorded,
              ),
            };
          });
        },
      },
    },
  };
}
