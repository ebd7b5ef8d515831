import { type CapabilityDefinition, defineCapability, defineMethod, param } from '@viwo/core';
import type { RunwareService } from '../runware-service.ts';
import { plannedSize, runImageCall } from './image-tasks.ts';
import { modelSearchMethods } from './model-search.ts';
import { otherMethods } from './other-methods.ts';
import {
  IMAGE_PARAM,
  imageOptions,
  outpaintOptions,
  PROMPT_PARAM,
  textOptions,
} from './runware-params.ts';
import { videoMethods } from './video-methods.ts';

/** Capability type this plugin registers. */
export const RUNWARE_CAPABILITY_TYPE = 'runware';

const OUTPAINT_DIRECTIONS = ['left', 'right', 'top', 'bottom'] as const;

/**
 * The `runware` capability: the local generation methods' positional arguments and option keys,
 * answered by Runware's cloud (so a template switches backends by changing the type and model).
 * No method declares a compute cost: cloud calls never wait in the local device queue; they have
 * their own concurrency limit in the service.
 */
export function createRunwareCapability(service: RunwareService): CapabilityDefinition {
  return defineCapability({
    type: RUNWARE_CAPABILITY_TYPE,
    label: 'Runware (cloud)',
    description:
      'Image and video generation on the Runware cloud API: FLUX, SDXL, SD 1.5 and community models by AIR id. Needs a Runware API key on the server.',
    methods: {
      textToImage: defineMethod({
        label: 'Text to image (Runware)',
        description: 'Generates images from a prompt on Runware',
        params: [PROMPT_PARAM, textOptions],
        returns: 'image (a list of images when batch_size > 1)',
        run: (context, prompt, options) =>
          runImageCall(service, context, {
            method: 'textToImage',
            positional: [prompt],
            prompt,
            options,
            ...plannedSize(options.width ?? 1024, options.height ?? 1024),
          }),
      }),
      imageToImage: defineMethod({
        label: 'Image to image (Runware)',
        description: 'Repaints an image guided by a prompt on Runware',
        params: [IMAGE_PARAM, PROMPT_PARAM, imageOptions],
        returns: 'image (a list of images when batch_size > 1)',
        run: (context, image, prompt, options) =>
          runImageCall(service, context, {
            method: 'imageToImage',
            positional: [image, prompt],
            prompt,
            options,
            ...plannedSize(options.width ?? image.width, options.height ?? image.height),
            extra: async () => ({ seedImage: await service.upload(context, image) }),
          }),
      }),
      inpaint: defineMethod({
        label: 'Inpaint (Runware)',
        description: 'Repaints the white area of the mask on Runware',
        params: [
          IMAGE_PARAM,
          param.mask({ name: 'mask', label: 'Mask', description: 'White marks what to repaint' }),
          PROMPT_PARAM,
          imageOptions,
        ],
        returns: 'image (a list of images when batch_size > 1)',
        run: (context, image, mask, prompt, options) =>
          runImageCall(service, context, {
            method: 'inpaint',
            positional: [image, mask, prompt],
            prompt,
            options,
            ...plannedSize(options.width ?? image.width, options.height ?? image.height),
            extra: async () => ({
              seedImage: await service.upload(context, image),
              maskImage: await service.upload(context, mask),
            }),
          }),
      }),
      outpaint: defineMethod({
        label: 'Outpaint (Runware)',
        description:
          'Extends the image by `pixels` on one side and paints the new border on Runware',
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
            max: 1024,
            step: 8,
          }),
          PROMPT_PARAM,
          outpaintOptions,
        ],
        returns: 'image (larger by `pixels` on the chosen side)',
        run: (context, image, side, pixels, prompt, options) => {
          const horizontal = side === 'left' || side === 'right';
          const width = image.width + (horizontal ? pixels : 0);
          const height = image.height + (horizontal ? 0 : pixels);
          const planned = plannedSize(width, height);
          // Runware extends by whole grid cells; the surplus is cropped back off after.
          const extension = horizontal
            ? planned.size.width - image.width
            : planned.size.height - image.height;
          return runImageCall(service, context, {
            method: 'outpaint',
            positional: [image, side, pixels, prompt],
            prompt,
            options,
            size: planned.size,
            ...(planned.crop ? { crop: { ...planned.crop, keep: side } } : {}),
            extra: async () => ({
              seedImage: await service.upload(context, image),
              outpaint: { [side]: extension },
            }),
          });
        },
      }),
      ...otherMethods(service),
      ...videoMethods(service),
      ...modelSearchMethods(service),
    },
  });
}
