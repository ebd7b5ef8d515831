import {
  type CapabilityCallContext,
  type CapabilityDefinition,
  CapabilityError,
  defineMethod,
  type ImageValue,
  param,
  type RawImage,
} from '@viwo/core';
import {
  estimateCost,
  generationCacheIdentity,
  inputSize,
  pickModel,
  rescanFor,
} from '../capability/generate-capability.ts';
import { type GenerationOptions, generationFields } from '../capability/generation-params.ts';
import { runsWithoutControlnet } from '../models/model-info.ts';
import { type ResolvedGeneration, resolveGeneration } from '../pipeline/generation-request.ts';
import { imageToPixels } from '../pipeline/image-layout.ts';
import { ModelSessions } from '../pipeline/model-sessions.ts';
import { a1111Parameters, recordedOptions, viwoChunk } from '../pipeline/png-parameters.ts';
import {
  type GenerationHooks,
  type StableDiffusionPipeline,
  storeItems,
} from '../pipeline/stable-diffusion-pipeline.ts';
import { encodePixels } from '../pipeline/vae-codec.ts';
import { CounterNormalRng } from '../rng/counter-normal-rng.ts';
import { createScheduler } from '../schedulers/create-scheduler.ts';
import {
  buildInpaintMask,
  compositeWithMask,
  extendForOutpaint,
  type InpaintMask,
  latentMask,
  OUTPAINT_DIRECTIONS,
} from './inpaint-mask.ts';

/** Capability type of inpainting and outpainting. */
export const INPAINT_CAPABILITY = 'diffusers.inpaint';

/**
 * Denoising hooks that keep the unmasked region: a 4-channel UNet gets the original latents,
 * re-noised to the current step, pasted back outside the mask after every step; a 9-channel
 * inpainting UNet gets `latents ‖ mask ‖ masked-image latents` as its sample instead.
 */
function inpaintHooks(
  pipeline: StableDiffusionPipeline,
  generation: ResolvedGeneration,
  input: RawImage,
  mask: InpaintMask,
): GenerationHooks {
  const model = generation.model;
  return {
    async denoiseHooks({ size, latentHeight, latentWidth, seed }) {
      const plane = latentHeight * latentWidth;
      const cellMask = await latentMask(mask, size);
      const sessions = await ModelSessions.open(model, pipeline.cache);
      try {
        const encoder = await sessions.vaeEncoder();
        const pixels = await imageToPixels(input, size);
        // Same counter-based streams as the pipeline, so the known region matches its encoding.
        const clean = await encodePixels(
          encoder,
          pixels,
          size.paddedHeight,
          size.paddedWidth,
          model.scalingFactor,
          new CounterNormalRng(seed),
        );
        if (sessions.unet.inChannels === 9) {
          const maskPixels = await latentMaskPixels(mask, size);
          const masked = pixels.map((value, index) =>
            maskPixels[index % maskPixels.length]! > 0 ? 0 : value,
          );
          const maskedLatents = await encodePixels(
            encoder,
            masked,
            size.paddedHeight,
            size.paddedWidth,
            model.scalingFactor,
            new CounterNormalRng(seed),
          );
          return {
            unetSample(scaled) {
              const sample = new Float32Array(9 * plane);
              sample.set(scaled, 0);
              sample.set(cellMask, 4 * plane);
              sample.set(maskedLatents, 5 * plane);
              return sample;
            },
          };
        }
        const scheduler = createScheduler(
          generation.scheduler,
          model.schedulerConfig,
          generation.steps,
        );
        const noise = new CounterNormalRng(seed).normals(4 * plane, 0);
        return {
          afterStep(latents, step) {
            const next = step.index + 1;
            const known =
              next < scheduler.timesteps.length ? scheduler.addNoise(clean, noise, next) : clean;
            for (let channel = 0; channel < 4; channel++) {
              for (let cell = 0; cell < plane; cell++) {
                const index = channel * plane + cell;
                const keep = 1 - cellMask[cell]!;
                latents[index] = latents[index]! * (1 - keep) + known[index]! * keep;
              }
            }
            return latents;
          },
        };
      } finally {
        sessions.release();
      }
    },
    finishImage: (image) => compositeWithMask(input, image, mask),
  };
}

/** The binary mask at padded pixel resolution (one plane), for masking the image before encoding. */
async function latentMaskPixels(
  mask: InpaintMask,
  size: Parameters<typeof latentMask>[1],
): Promise<Float32Array> {
  const rgb: RawImage = {
    data: new Uint8Array(mask.width * mask.height * 3),
    width: mask.width,
    height: mask.height,
    channels: 3,
  };
  for (let pixel = 0; pixel < mask.binary.length; pixel++)
    rgb.data.fill(mask.binary[pixel]! * 255, pixel * 3, pixel * 3 + 3);
  const pixels = await imageToPixels(rgb, size);
  return pixels
    .subarray(0, size.paddedWidth * size.paddedHeight)
    .map((value) => (value > 0 ? 1 : 0));
}

/** The inpaint options: the generation options plus `mask_blur`. */
type InpaintOptions = GenerationOptions & { mask_blur: number };

/**
 * Builds `diffusers.inpaint` over the shared pipeline: `inpaint(image, mask, prompt, {…})` and
 * `outpaint(image, direction, pixels, prompt, {…})`.
 */
export function createInpaintCapability(pipeline: StableDiffusionPipeline): CapabilityDefinition {
  const registry = pipeline.registry;
  const optionsParam = () =>
    param.object(
      {
        ...generationFields({
          models: () =>
            registry
              .list()
              .filter(runsWithoutControlnet)
              .map((model) => model.id),
          defaultModel: () => registry.defaultModel(),
          sizeFromInput: true,
          strength: 1,
        }),
        mask_blur: param.number({
          label: 'Mask blur',
          description: 'Feathers the seam (pixels); pixels outside the blurred mask stay exact',
          default: 0,
          min: 0,
          max: 64,
          step: 1,
        }),
      },
      {
        name: 'options',
        label: 'Options',
        description: 'Generation options plus mask_blur; unknown keys are rejected',
        optional: true,
      },
    );
  const promptParam = param.text({
    name: 'prompt',
    label: 'Prompt',
    description: 'What to paint into the masked region',
  });

  const run = async (
    context: CapabilityCallContext,
    input: RawImage,
    maskImage: RawImage,
    prompt: string,
    options: InpaintOptions,
    method: string,
    positional: unknown[],
  ) => {
    if (maskImage.width !== input.width || maskImage.height !== input.height) {
      throw new CapabilityError(
        'InvalidArgument',
        `mask is ${maskImage.width}×${maskImage.height} but the image is ${input.width}×${input.height}; they must match`,
        { param: 'mask' },
      );
    }
    const mask = await buildInpaintMask(maskImage, options.mask_blur);
    const model = pickModel(registry, options.model_id);
    const generation = resolveGeneration(prompt, options, model, {
      width: input.width,
      height: input.height,
      strength: 1,
    });
    const items = await pipeline.generate(
      generation,
      context,
      { image: input },
      inpaintHooks(pipeline, generation, input, mask),
    );
    return storeItems(items, context.images, (item) => ({
      parameters: a1111Parameters(generation, item.seed, {
        'Denoising strength': generation.strength,
        'Mask blur': options.mask_blur,
      }),
      viwo: viwoChunk(INPAINT_CAPABILITY, method, positional, {
        ...recordedOptions(generation, item.seed),
        strength: generation.strength,
      }),
    }));
  };

  return {
    type: INPAINT_CAPABILITY,
    label: 'Inpaint and outpaint',
    description:
      'Repaints the white region of a mask, or extends an image on one side, with Stable Diffusion',
    methods: {
      inpaint: defineMethod({
        label: 'Inpaint',
        description:
          'Repaints where the mask is white (≥ 50 %); everything outside the (blurred) mask is kept exactly',
        params: [
          param.image({ name: 'image', label: 'Image', description: 'Image to repaint' }),
          param.mask({
            name: 'mask',
            label: 'Mask',
            description: 'White = repaint, same size as the image',
          }),
          promptParam,
          optionsParam(),
        ],
        returns: 'image (a list of images when batch_size > 1)',
        prepare: rescanFor(registry),
        cost: ([image, , , options]) => estimateCost(registry, options, inputSize(image)),
        cacheIdentity: ([, , , options]) => generationCacheIdentity(registry, options),
        async run(context, image, mask, prompt, options) {
          const [input, maskImage] = await Promise.all([
            context.images.getRaw(image, 3),
            context.images.getRaw(mask, 3),
          ]);
          return run(context, input, maskImage, prompt, options, 'inpaint', [image, mask, prompt]);
        },
      }),
      outpaint: defineMethod({
        label: 'Outpaint',
        description: 'Extends the image by `pixels` on one side and paints the new border',
        params: [
          param.image({ name: 'image', label: 'Image', description: 'Image to extend' }),
          param.enum(OUTPAINT_DIRECTIONS, {
            name: 'direction',
            label: 'Direction',
            description: 'Side to extend',
          }),
          param.integer({
            name: 'pixels',
            label: 'Pixels',
            description: 'How far to extend',
            min: 8,
            max: 2048,
            step: 8,
          }),
          promptParam,
          optionsParam(),
        ],
        returns: 'image (larger by `pixels` on the chosen side)',
        prepare: rescanFor(registry),
        cost([image, direction, pixels, , options]) {
          const size = outpaintSize(image, direction, pixels);
          return estimateCost(registry, options, size);
        },
        cacheIdentity: ([, , , , options]) => generationCacheIdentity(registry, options),
        async run(context, image, direction, pixels, prompt, options) {
          const input = await context.images.getRaw(image, 3);
          const extended = await extendForOutpaint(input, direction, pixels);
          return run(context, extended.image, extended.mask, prompt, options, 'outpaint', [
            image,
            direction,
            pixels,
            prompt,
          ]);
        },
      }),
    },
  };
}

/** The size an outpaint produces: the input grown by `pixels` on one side. */
function outpaintSize(
  image: ImageValue,
  direction: (typeof OUTPAINT_DIRECTIONS)[number],
  pixels: number,
): { width: number; height: number } {
  const horizontal = direction === 'left' || direction === 'right';
  return {
    width: image.width + (horizontal ? pixels : 0),
    height: image.height + (horizontal ? 0 : pixels),
  };
}
