import type {
  CapabilityCallContext,
  CapabilityDefinition,
  CapabilityParam,
  ImageValue,
  RawImage,
} from '@viwo/core';
import { estimateCost, pickModel, resolveWithBudget } from '../capability/generate-capability.ts';
import { generationOptionFields } from '../capability/generation-params.ts';
import { InvalidOptionError, type ResolvedGeneration } from '../pipeline/generation-request.ts';
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
import { createScheduler, schedulerNames } from '../schedulers/create-scheduler.ts';
import {
  buildInpaintMask,
  compositeWithMask,
  extendForOutpaint,
  type InpaintMask,
  latentMask,
  OUTPAINT_DIRECTIONS,
  type OutpaintDirection,
} from './inpaint-mask.ts';

/** Capability type of inpainting and outpainting. */
export const INPAINT_CAPABILITY = 'diffusers.inpaint';

/** Inpaint-only option keys on top of the generation keys. */
const INPAINT_KEYS = ['mask_blur'] as const;

function readImage(
  context: CapabilityCallContext,
  value: unknown,
  name: string,
): Promise<RawImage> {
  const candidate = value as Partial<ImageValue> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.$image !== 'string') {
    throw new InvalidOptionError(name, `${name} must be an image value {$image, width, height}`);
  }
  return context.images.getRaw(candidate as ImageValue, 3);
}

function maskBlur(options: unknown): number {
  const value = (options as { mask_blur?: unknown } | undefined)?.mask_blur;
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 64) {
    throw new InvalidOptionError(
      'mask_blur',
      `mask_blur must be a number of pixels from 0 to 64, got ${String(value)}`,
    );
  }
  return value;
}

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

/**
 * Builds `diffusers.inpaint` over the shared pipeline: `inpaint(image, mask, prompt, {…})` and
 * `outpaint(image, direction, pixels, prompt, {…})`.
 */
export function createInpaintCapability(pipeline: StableDiffusionPipeline): CapabilityDefinition {
  const registry = pipeline.registry;
  const optionsParam = (): CapabilityParam => ({
    name: 'options',
    type: 'object',
    label: 'Options',
    description: 'Generation options plus mask_blur; unknown keys are rejected',
    optional: true,
    fields: [
      ...generationOptionFields(
        registry.list().map((model) => model.id),
        schedulerNames(),
        registry.defaultModel()?.id,
      ),
      {
        name: 'mask_blur',
        type: 'number',
        label: 'Mask blur',
        description: 'Feathers the seam (pixels); pixels outside the blurred mask stay exact',
        default: 0,
        min: 0,
        max: 64,
        step: 1,
        optional: true,
      },
    ],
  });
  const promptParam: CapabilityParam = {
    name: 'prompt',
    type: 'text',
    label: 'Prompt',
    description: 'What to paint into the masked region',
  };

  const run = async (
    context: CapabilityCallContext,
    input: RawImage,
    maskImage: RawImage,
    prompt: unknown,
    options: unknown,
    method: string,
    positional: unknown[],
  ) => {
    if (maskImage.width !== input.width || maskImage.height !== input.height) {
      throw new InvalidOptionError(
        'mask',
        `mask is ${maskImage.width}×${maskImage.height} but the image is ${input.width}×${input.height}; they must match`,
      );
    }
    const mask = await buildInpaintMask(maskImage, maskBlur(options));
    await registry.ensureKnown((options as { model_id?: unknown } | undefined)?.model_id);
    pickModel(registry, (options as { model_id?: string } | undefined)?.model_id);
    const generation = resolveWithBudget(
      registry,
      prompt,
      options,
      { width: input.width, height: input.height, strength: 1 },
      INPAINT_KEYS,
    );
    const items = await pipeline.generate(
      generation,
      context,
      { image: input },
      inpaintHooks(pipeline, generation, input, mask),
    );
    return storeItems(items, context.images, (item) => ({
      parameters: a1111Parameters(generation, item.seed, {
        'Denoising strength': generation.strength,
        'Mask blur': maskBlur(options),
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
      inpaint: {
        label: 'Inpaint',
        description:
          'Repaints where the mask is white (≥ 50 %); everything outside the (blurred) mask is kept exactly',
        get params(): CapabilityParam[] {
          return [
            { name: 'image', type: 'image', label: 'Image', description: 'Image to repaint' },
            {
              name: 'mask',
              type: 'mask',
              label: 'Mask',
              description: 'White = repaint, same size as the image',
            },
            promptParam,
            optionsParam(),
          ];
        },
        returns: 'image (a list of images when batch_size > 1)',
        cost(args) {
          const image = args[0] as Partial<ImageValue> | undefined;
          return estimateCost(
            registry,
            args[2],
            args[3],
            { width: image?.width, height: image?.height },
            INPAINT_KEYS,
          );
        },
        async run(context, image, mask, prompt, options) {
          const [input, maskImage] = await Promise.all([
            readImage(context, image, 'image'),
            readImage(context, mask, 'mask'),
          ]);
          return run(context, input, maskImage, prompt, options, 'inpaint', [image, mask, prompt]);
        },
      },
      outpaint: {
        label: 'Outpaint',
        description: 'Extends the image by `pixels` on one side and paints the new border',
        get params(): CapabilityParam[] {
          return [
            { name: 'image', type: 'image', label: 'Image', description: 'Image to extend' },
            {
              name: 'direction',
              type: 'enum',
              label: 'Direction',
              description: 'Side to extend',
              options: [...OUTPAINT_DIRECTIONS],
            },
            {
              name: 'pixels',
              type: 'integer',
              label: 'Pixels',
              description: 'How far to extend',
              min: 8,
              max: 2048,
              step: 8,
            },
            promptParam,
            optionsParam(),
          ];
        },
        returns: 'image (larger by `pixels` on the chosen side)',
        cost(args) {
          const image = args[0] as Partial<ImageValue> | undefined;
          const pixels = typeof args[2] === 'number' ? args[2] : 0;
          const horizontal = args[1] === 'left' || args[1] === 'right';
          const width = (image?.width ?? 0) + (horizontal ? pixels : 0);
          const height = (image?.height ?? 0) + (horizontal ? 0 : pixels);
          return estimateCost(registry, args[3], args[4], { width, height }, INPAINT_KEYS);
        },
        async run(context, image, direction, pixels, prompt, options) {
          const input = await readImage(context, image, 'image');
          const extended = await extendForOutpaint(
            input,
            direction as OutpaintDirection,
            pixels as number,
          );
          return run(
            context,
            extended.image,
            extended.mask,
            prompt,
            { mask_blur: 4, ...(options as object | undefined) },
            'outpaint',
            [image, direction, pixels, prompt],
          );
        },
      },
    },
  };
}
