import {
  type CapabilityDefinition,
  CapabilityError,
  defineMethod,
  type ImageValue,
  param,
} from '@viwo/core';
import { type DiffusersModelInfo, runsWithoutControlnet } from '../models/model-info.ts';
import type { ModelRegistry } from '../models/model-registry.ts';
import {
  type GenerationDefaults,
  generationCost,
  resolveGeneration,
} from '../pipeline/generation-request.ts';
import { a1111Parameters, recordedOptions, viwoChunk } from '../pipeline/png-parameters.ts';
import { type StableDiffusionPipeline, storeItems } from '../pipeline/stable-diffusion-pipeline.ts';
import { type GenerationOptions, generationFields } from './generation-params.ts';

/** Capability type of text-to-image and image-to-image generation. */
export const GENERATE_CAPABILITY = 'diffusers.generate';

/** `registry.get` with its error as an InvalidArgument naming `options.model_id`. */
export function pickModel(registry: ModelRegistry, id?: string): DiffusersModelInfo {
  try {
    return registry.get(id);
  } catch (error) {
    throw new CapabilityError('InvalidArgument', (error as Error).message, {
      param: 'options.model_id',
      cause: error,
    });
  }
}

/**
 * The compute a validated call will use, for core's budget check (which also enforces the
 * caller's `max_compute`). Never throws: a call whose model cannot be resolved fails in `run`
 * with the precise error before any compute is spent, so it costs 0 here.
 */
export function estimateCost(
  registry: ModelRegistry,
  options: Partial<GenerationOptions>,
  defaults: GenerationDefaults = {},
): number {
  try {
    const model = pickModel(registry, options.model_id);
    return generationCost(resolveGeneration('', { ...options, seed: 0 }, model, defaults));
  } catch {
    return 0;
  }
}

/**
 * Rescans the model folder when a call names a model it has not seen (pulled by the CLI while the
 * server runs), and names the reason when the model is installed but broken.
 */
export function rescanFor(registry: ModelRegistry) {
  return async (args: readonly unknown[]): Promise<void> => {
    const options = args[args.length - 1];
    if (typeof options === 'object' && options !== null && 'model_id' in options) {
      await registry.ensureKnown(options.model_id);
      // A model folder that failed to load is not offered; say why rather than "not an option".
      const broken = registry.broken().find((entry) => entry.id === options.model_id);
      if (broken) {
        throw new CapabilityError(
          'InvalidArgument',
          `model '${broken.id}' cannot be used: ${broken.error}`,
          { param: 'options.model_id' },
        );
      }
    }
  };
}

/** The size of an input image as generation defaults. */
export function inputSize(image: ImageValue): GenerationDefaults {
  return { width: image.width, height: image.height };
}

/** Builds the `diffusers.generate` capability over a pipeline. */
export function createGenerateCapability(pipeline: StableDiffusionPipeline): CapabilityDefinition {
  const registry = pipeline.registry;
  // Offer only models that can run here: inpainting UNets need a mask and masked image
  // (diffusers.inpaint), ControlNet UNets need residuals (controlnet.generate.apply).
  const models = () =>
    registry
      .list()
      .filter((model) => model.unetInChannels !== 9 && runsWithoutControlnet(model))
      .map((model) => model.id);
  const options = (source: { sizeFromInput?: boolean; strength?: number }) =>
    param.object(
      generationFields({ models, defaultModel: () => registry.defaultModel(), ...source }),
      {
        name: 'options',
        label: 'Options',
        description: 'Generation options; unknown keys are rejected',
        optional: true,
      },
    );
  const prompt = param.text({ name: 'prompt', label: 'Prompt', description: 'What to generate' });

  return {
    type: GENERATE_CAPABILITY,
    label: 'Stable Diffusion',
    description:
      'Text-to-image and image-to-image with Stable Diffusion ONNX models on onnxruntime',
    methods: {
      textToImage: defineMethod({
        label: 'Text to image',
        description: 'Generates images from a prompt',
        params: [prompt, options({})],
        returns: 'image (a list of images when batch_size > 1)',
        prepare: rescanFor(registry),
        cost: ([, settings]) => estimateCost(registry, settings),
        async run(context, text, settings) {
          const model = pickModel(registry, settings.model_id);
          const generation = resolveGeneration(text, settings, model);
          const items = await pipeline.generate(generation, context);
          return storeItems(items, context.images, (item) => ({
            parameters: a1111Parameters(generation, item.seed),
            viwo: viwoChunk(
              GENERATE_CAPABILITY,
              'textToImage',
              [generation.prompt],
              recordedOptions(generation, item.seed),
            ),
          }));
        },
      }),
      imageToImage: defineMethod({
        label: 'Image to image',
        description: 'Repaints an input image guided by a prompt; strength sets how much changes',
        params: [
          param.image({ name: 'image', label: 'Image', description: 'Starting image' }),
          prompt,
          options({ sizeFromInput: true, strength: 0.75 }),
        ],
        returns: 'image (a list of images when batch_size > 1)',
        prepare: rescanFor(registry),
        cost: ([image, , settings]) => estimateCost(registry, settings, inputSize(image)),
        async run(context, image, text, settings) {
          const raw = await context.images.getRaw(image, 3);
          const model = pickModel(registry, settings.model_id);
          const generation = resolveGeneration(text, settings, model, {
            width: raw.width,
            height: raw.height,
          });
          const items = await pipeline.generate(generation, context, { image: raw });
          return storeItems(items, context.images, (item) => ({
            parameters: a1111Parameters(generation, item.seed, {
              'Denoising strength': generation.strength,
            }),
            viwo: viwoChunk(GENERATE_CAPABILITY, 'imageToImage', [image, generation.prompt], {
              ...recordedOptions(generation, item.seed),
              strength: generation.strength,
            }),
          }));
        },
      }),
    },
  };
}
