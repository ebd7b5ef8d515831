import type { CapabilityDefinition, ImageValue } from '@viwo/core';
import { InvalidOptionError } from '../pipeline/generation-request.ts';
import { PREPROCESSOR_TYPES, preprocessImage } from '../preprocessors/preprocess-image.ts';

/** Capability type of ControlNet generation and its preprocessors. */
export const CONTROLNET_CAPABILITY = 'controlnet.generate';

/**
 * `controlnet.generate` with the model-free preprocessors (`preprocess(image, type, {…})`).
 *
 * Invariant: only what really runs is declared. `apply` needs a ControlNet ONNX model and a UNet
 * that takes its residuals; no such model layout is installed by this version, so `apply` is not
 * offered rather than faked. Depth and pose preprocessors likewise need models and are absent.
 */
export function createControlnetCapability(): CapabilityDefinition {
  return {
    type: CONTROLNET_CAPABILITY,
    label: 'ControlNet',
    description: 'Control images for ControlNet: edge, scribble and soft-edge preprocessors',
    methods: {
      preprocess: {
        label: 'Preprocess',
        description: 'Turns an image into a control image of the given type (same size)',
        params: [
          { name: 'image', type: 'image', label: 'Image', description: 'Source image' },
          {
            name: 'type',
            type: 'enum',
            label: 'Control type',
            description: 'Preprocessor',
            options: [...PREPROCESSOR_TYPES],
          },
          {
            name: 'options',
            type: 'object',
            label: 'Options',
            description: 'Preprocessor settings',
            optional: true,
            fields: [
              {
                name: 'low_threshold',
                type: 'number',
                label: 'Low threshold',
                description: 'canny: weak-edge threshold (0–255 scale)',
                default: 100,
                min: 0,
                max: 1020,
                optional: true,
              },
              {
                name: 'high_threshold',
                type: 'number',
                label: 'High threshold',
                description: 'canny: strong-edge threshold (0–255 scale)',
                default: 200,
                min: 0,
                max: 1020,
                optional: true,
              },
              {
                name: 'threshold',
                type: 'number',
                label: 'Threshold',
                description: 'scribble: darker than this becomes a line',
                default: 128,
                min: 0,
                max: 255,
                optional: true,
              },
              {
                name: 'sigma',
                type: 'number',
                label: 'Sigma',
                description: 'softedge: line scale in pixels',
                default: 1,
                min: 0.3,
                max: 8,
                optional: true,
              },
            ],
          },
        ],
        returns: 'image',
        async run(context, image, type, options) {
          const candidate = image as Partial<ImageValue> | null;
          if (
            typeof candidate !== 'object' ||
            candidate === null ||
            typeof candidate.$image !== 'string'
          ) {
            throw new InvalidOptionError(
              'image',
              'image must be an image value {$image, width, height}',
            );
          }
          const raw = await context.images.getRaw(candidate as ImageValue, 3);
          // Core fills declared defaults in; keep only the keys that belong to this type.
          const given = (options ?? {}) as Record<string, unknown>;
          const relevant: Record<string, string[]> = {
            canny: ['low_threshold', 'high_threshold'],
            scribble: ['threshold'],
            softedge: ['sigma'],
          };
          const picked = Object.fromEntries(
            Object.entries(given).filter(([key]) => relevant[String(type)]?.includes(key)),
          );
          const control = preprocessImage(raw, String(type), picked);
          return context.images.putRaw(control, {
            viwo: JSON.stringify({ preprocess: type, options: picked }),
          });
        },
      },
    },
  };
}
