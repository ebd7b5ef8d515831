import {
  type CapabilityDefinition,
  type CapabilityParam,
  defineCapability,
  type ImageValue,
} from '@viwo/core';
import type { RunwareService } from '../runware-service.ts';
import { type GenerationOptions, plannedSize, runImageCall } from './image-tasks.ts';
import { otherMethods } from './other-methods.ts';
import { generationFields, IMAGE_PARAM, optionsParam, PROMPT_PARAM } from './runware-params.ts';
import { videoMethods } from './video-methods.ts';

/** Capability type this plugin registers. */
export const RUNWARE_CAPABILITY_TYPE = 'runware';

const OUTPAINT_DIRECTIONS = ['left', 'right', 'top', 'bottom'] as const;
type Direction = (typeof OUTPAINT_DIRECTIONS)[number];

/**
 * The `runware` capability: the local generation methods' positional arguments and option keys,
 * answered by Runware's cloud (so a template switches backends by changing the type and model).
 * No method declares a compute cost: cloud calls never wait in the local device queue; they have
 * their own concurrency limit in the service.
 */
export function createRunwareCapability(service: RunwareService): CapabilityDefinition {
  const generation = optionsParam(generationFields(false), 'Model, size, sampling and seed');
  const withStrength = optionsParam(generationFields(true), 'Model, strength, size and seed');
  return defineCapability({
    type: RUNWARE_CAPABILITY_TYPE,
    label: 'Runware (cloud)',
    description:
      'Image and video generation on the Runware cloud API: FLUX, SDXL, SD 1.5 and community models by AIR id. Needs a Runware API key on the server.',
    methods: {
      textToImage: {
        label: 'Text to image (Runware)',
        description: 'Generates images from a prompt on Runware',
        params: [PROMPT_PARAM, generation],
        returns: 'image (a list of images when batch_size > 1)',
        run: (context, prompt, options) => {
          const settings = (options ?? {}) as GenerationOptions;
          return runImageCall(service, context, {
            method: 'textToImage',
            positional: [prompt],
            prompt: prompt as string,
            options: settings,
            ...plannedSize(settings.width ?? 1024, settings.height ?? 1024),
          });
        },
      },
      imageToImage: {
        label: 'Image to image (Runware)',
        description: 'Repaints an image guided by a prompt on Runware',
        params: [IMAGE_PARAM, PROMPT_PARAM, withStrength],
        returns: 'image (a list of images when batch_size > 1)',
        run: (context, image, prompt, options) => {
          const input = image as ImageValue;
          const settings = (options ?? {}) as GenerationOptions;
          return runImageCall(service, context, {
            method: 'imageToImage',
            positional: [image, prompt],
            prompt: prompt as string,
            options: settings,
            ...plannedSize(settings.width ?? input.width, settings.height ?? input.height),
            extra: async () => ({ seedImage: await service.upload(context, input) }),
          });
        },
      },
      inpaint: {
        label: 'Inpaint (Runware)',
        description: 'Repaints the white area of the mask on Runware',
        params: [
          IMAGE_PARAM,
          { name: 'mask', type: 'mask', label: 'Mask', description: 'White marks what to repaint' },
          PROMPT_PARAM,
          withStrength,
        ],
        returns: 'image (a list of images when batch_size > 1)',
        run: (context, image, mask, prompt, options) => {
          const input = image as ImageValue;
          const settings = (options ?? {}) as GenerationOptions;
          return runImageCall(service, context, {
            method: 'inpaint',
            positional: [image, mask, prompt],
            prompt: prompt as string,
            options: settings,
            ...plannedSize(settings.width ?? input.width, settings.height ?? input.height),
            extra: async () => ({
              seedImage: await service.upload(context, input),
              maskImage: await service.upload(context, mask as ImageValue),
            }),
          });
        },
      },
      outpaint: {
        label: 'Outpaint (Runware)',
        description:
          'Extends the image by `pixels` on one side and paints the new border on Runware',
        params: outpaintParams(generation),
        returns: 'image (larger by `pixels` on the chosen side)',
        run: (context, image, direction, pixels, prompt, options) => {
          const input = image as ImageValue;
          const side = direction as Direction;
          const grow = pixels as number;
          const horizontal = side === 'left' || side === 'right';
          const width = input.width + (horizontal ? grow : 0);
          const height = input.height + (horizontal ? 0 : grow);
          const planned = plannedSize(width, height);
          // Runware extends by whole grid cells; the surplus is cropped back off after.
          const extension = horizontal
            ? planned.size.width - input.width
            : planned.size.height - input.height;
          const settings = (options ?? {}) as GenerationOptions;
          return runImageCall(service, context, {
            method: 'outpaint',
            positional: [image, direction, pixels, prompt],
            prompt: prompt as string,
            options: settings,
            size: planned.size,
            ...(planned.crop ? { crop: { ...planned.crop, keep: side } } : {}),
            extra: async () => ({
              seedImage: await service.upload(context, input),
              outpaint: { [side]: extension },
            }),
          });
        },
      },
      ...otherMethods(service),
      ...videoMethods(service),
    },
  });
}

function outpaintParams(options: CapabilityParam): CapabilityParam[] {
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
      max: 1024,
      step: 8,
    },
    PROMPT_PARAM,
    {
      ...options,
      fields: (options.fields ?? []).filter((f) => f.name !== 'width' && f.name !== 'height'),
    },
  ];
}
