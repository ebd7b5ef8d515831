import {
  type CapabilityDefinition,
  type CapabilityMethod,
  type CapabilityParam,
  defineCapability,
  type ImageValue,
} from '@viwo/core';
import {
  checkOutputSize,
  classicalMethod,
  invalid,
  loadPixels,
  optionalNumber,
  optionalString,
  readOptions,
  requireImage,
} from './capability-arguments.ts';
import { CLASSICAL_METHODS, resampleClassical, targetSize } from './classical.ts';
import { throwIfCancelled } from './errors.ts';
import type { EsrganUpscaler } from './esrgan-upscaler.ts';
import type { FaceRestorer } from './face-restorer.ts';
import { MAX_TILE_SIZE, MIN_TILE_SIZE } from './runner/tiling.ts';

/** Capability type this plugin registers. */
export const UPSCALE_CAPABILITY_TYPE = 'upscale';
/** Capability type the hybrid method composes with (via `context.invoke`, never an import). */
export const DIFFUSERS_CAPABILITY_TYPE = 'diffusers.generate';

/** What the capability needs from the plugin. */
export interface UpscaleCapabilityOptions {
  upscaler: EsrganUpscaler;
  /** Largest output (width × height) a method may produce. */
  maxOutputPixels: number;
  /** Register `upscaleHybrid` (only when `diffusers.generate` is available). */
  hybrid: boolean;
  /** Register `restoreFaces` (only when a face-restoration model is configured). */
  faceRestorer?: FaceRestorer;
}

/**
 * Builds the `upscale` capability declaration. Enum options come from what is installed (model
 * ids and their factors), so metadata never offers something that cannot run.
 */
export function createUpscaleCapability(options: UpscaleCapabilityOptions): CapabilityDefinition {
  const methods: Record<string, CapabilityMethod> = {};
  const offered = options.upscaler.offeredFactors();
  if (offered.size > 0) methods.upscale = modelMethod(options, offered);
  methods.upscaleTraditional = traditionalMethod(options);
  if (options.hybrid) methods.upscaleHybrid = hybridMethod(options);
  if (options.faceRestorer) methods.restoreFaces = faceMethod(options, options.faceRestorer);
  // defineCapability checks the declaration (labels, enum options, param order) at load.
  return defineCapability({
    type: UPSCALE_CAPABILITY_TYPE,
    label: 'Upscale',
    description:
      'Super-resolution with ESRGAN models (onnxruntime) and classical resampling (sharp).',
    methods,
  });
}

const IMAGE_PARAM: CapabilityParam = {
  name: 'image',
  type: 'image',
  label: 'Image',
  description: 'Image to upscale',
};

function modelMethod(
  options: UpscaleCapabilityOptions,
  offered: Map<string, number[]>,
): CapabilityMethod {
  const modelIds = [...offered.keys()];
  const defaultModel = offered.has('esrgan-slim') ? 'esrgan-slim' : modelIds[0]!;
  const allFactors = [...new Set([...offered.values()].flat())].sort((a, b) => a - b);
  const defaultFactor = offered.get(defaultModel)!.includes(4) ? 4 : offered.get(defaultModel)![0]!;
  const offeredText = modelIds.map((id) => `${id}: ×${offered.get(id)!.join('/×')}`).join('; ');
  return {
    label: 'Upscale (ESRGAN)',
    description: `Super-resolves an image with an ESRGAN model. Installed: ${offeredText}. Alpha is upscaled with Lanczos and re-attached.`,
    params: [
      IMAGE_PARAM,
      {
        name: 'options',
        label: 'Options',
        description: 'Model, factor and tiling',
        type: 'object',
        optional: true,
        fields: [
          { name: 'model', type: 'enum', label: 'Model', options: modelIds, default: defaultModel },
          {
            name: 'factor',
            type: 'enum',
            label: 'Factor',
            options: allFactors,
            default: defaultFactor,
            description: 'Scale; each model offers its own factors',
          },
          {
            name: 'tile_size',
            type: 'integer',
            label: 'Tile size',
            min: MIN_TILE_SIZE,
            max: MAX_TILE_SIZE,
            optional: true,
            description: 'Input pixels per tile side; default from the memory cap',
          },
        ],
      },
    ],
    returns: 'image',
    cost(args) {
      const image = args[0] as ImageValue | undefined;
      const factor = Number(
        (args[1] as Record<string, unknown> | undefined)?.factor ?? defaultFactor,
      );
      return image ? (image.width * image.height * factor * factor) / 1e6 : 0;
    },
    effects(args) {
      const factor = Number(
        (args[1] as Record<string, unknown> | undefined)?.factor ?? defaultFactor,
      );
      return outputEffects(args[0], { factor });
    },
    async run(context, ...args) {
      const image = requireImage(args[0]);
      const settings = readOptions(args[1], ['model', 'factor', 'tile_size']);
      const model = optionalString(settings.model, 'model') ?? defaultModel;
      const factor = optionalNumber(settings.factor, 'factor') ?? defaultFactor;
      const tileSize = optionalNumber(settings.tile_size, 'tile_size');
      // Resolve first so an unknown model or factor fails before any decoding.
      options.upscaler.resolve(model, factor);
      checkOutputSize(image.width * factor, image.height * factor, options.maxOutputPixels);
      const pixels = await loadPixels(context, image);
      const result = await options.upscaler.upscale(pixels, {
        model,
        factor,
        ...(tileSize !== undefined ? { tileSize } : {}),
        signal: context.signal,
        onTile: (step, total) =>
          context.progress({ label: `upscale ${model} ×${factor}`, step, total }),
      });
      const viwo = {
        kind: 'upscale',
        model: result.model,
        scale: result.scale,
        tiling: result.tiling,
        alpha: result.alpha,
      };
      const parameters = `Upscale: ${result.model}, Scale: ${result.scale}, Tiles: ${result.tiling.tiles} (tile ${result.tiling.tile_size}px, overlap ${result.tiling.overlap}px)`;
      return context.images.putRaw(result.image, { parameters, viwo: JSON.stringify(viwo) });
    },
  };
}

function traditionalMethod(options: UpscaleCapabilityOptions): CapabilityMethod {
  return {
    label: 'Upscale (classical)',
    description:
      'Resamples with sharp: lanczos (Lanczos-3), bicubic (Catmull-Rom), bilinear, nearest, or area (exact box filter). Give a factor or a target width/height.',
    params: [
      IMAGE_PARAM,
      {
        name: 'options',
        label: 'Options',
        description: 'Method and target size',
        type: 'object',
        optional: true,
        fields: [
          {
            name: 'method',
            type: 'enum',
            label: 'Method',
            options: [...CLASSICAL_METHODS],
            default: 'lanczos',
          },
          {
            name: 'factor',
            type: 'number',
            label: 'Factor',
            min: 1,
            max: 8,
            step: 0.5,
            default: 2,
          },
          {
            name: 'width',
            type: 'integer',
            label: 'Width',
            min: 1,
            optional: true,
            description: 'Target width (overrides factor)',
          },
          {
            name: 'height',
            type: 'integer',
            label: 'Height',
            min: 1,
            optional: true,
            description: 'Target height (overrides factor)',
          },
        ],
      },
    ],
    returns: 'image',
    effects(args) {
      const settings = (args[1] ?? {}) as Record<string, unknown>;
      const pick = (name: string) =>
        typeof settings[name] === 'number' ? { [name]: settings[name] as number } : {};
      return outputEffects(args[0], { ...pick('factor'), ...pick('width'), ...pick('height') });
    },
    async run(context, ...args) {
      const image = requireImage(args[0]);
      const settings = readOptions(args[1], ['method', 'factor', 'width', 'height']);
      const method = classicalMethod(settings.method);
      const factor = optionalNumber(settings.factor, 'factor') ?? 2;
      if (factor < 1 || factor > 8)
        throw invalid(`factor must be from 1 to 8, got ${factor}`, 'factor');
      const width = optionalNumber(settings.width, 'width');
      const height = optionalNumber(settings.height, 'height');
      for (const [name, value] of [
        ['width', width],
        ['height', height],
      ] as const) {
        if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
          throw invalid(`${name} must be a positive whole number, got ${value}`, name);
        }
      }
      const size = targetSize(image.width, image.height, {
        factor,
        ...(width !== undefined ? { width } : {}),
        ...(height !== undefined ? { height } : {}),
      });
      checkOutputSize(size.width, size.height, options.maxOutputPixels);
      const pixels = await loadPixels(context, image);
      const resized = await resampleClassical(pixels, size.width, size.height, method);
      const viwo = { kind: 'upscale', method, width: size.width, height: size.height };
      return context.images.putRaw(resized, {
        parameters: `Upscale: ${method}, Size: ${size.width}x${size.height}`,
        viwo: JSON.stringify(viwo),
      });
    },
  };
}

function hybridMethod(options: UpscaleCapabilityOptions): CapabilityMethod {
  return {
    label: 'Upscale (hybrid)',
    description:
      'Classical upscale, then an img2img refinement pass at low denoise through the diffusers.generate capability.',
    params: [
      IMAGE_PARAM,
      {
        name: 'prompt',
        type: 'text',
        label: 'Prompt',
        description: 'What the refined image shows',
      },
      {
        name: 'options',
        label: 'Options',
        description: 'Upscale and refinement settings',
        type: 'object',
        optional: true,
        fields: [
          {
            name: 'factor',
            type: 'number',
            label: 'Factor',
            min: 1,
            max: 4,
            step: 0.5,
            default: 2,
          },
          {
            name: 'denoise_strength',
            type: 'number',
            label: 'Denoise strength',
            min: 0.2,
            max: 0.4,
            step: 0.05,
            default: 0.3,
          },
          {
            name: 'method',
            type: 'enum',
            label: 'Method',
            options: [...CLASSICAL_METHODS],
            default: 'lanczos',
          },
          { name: 'model_id', type: 'string', label: 'Diffusion model', optional: true },
          { name: 'steps', type: 'integer', label: 'Steps', min: 1, max: 150, optional: true },
          { name: 'seed', type: 'seed', label: 'Seed', optional: true },
          { name: 'negative_prompt', type: 'text', label: 'Negative prompt', optional: true },
        ],
      },
    ],
    returns: 'image',
    async run(context, ...args) {
      const image = requireImage(args[0]);
      if (typeof args[1] !== 'string') throw invalid('prompt must be a string', 'prompt', []);
      const prompt = args[1];
      const settings = readOptions(args[2], [
        'factor',
        'denoise_strength',
        'method',
        'model_id',
        'steps',
        'seed',
        'negative_prompt',
      ]);
      const factor = optionalNumber(settings.factor, 'factor') ?? 2;
      if (factor < 1 || factor > 4)
        throw invalid(`factor must be from 1 to 4, got ${factor}`, 'factor');
      const strength = optionalNumber(settings.denoise_strength, 'denoise_strength') ?? 0.3;
      if (strength < 0.2 || strength > 0.4) {
        throw invalid(
          `denoise_strength must be from 0.2 to 0.4, got ${strength}`,
          'denoise_strength',
        );
      }
      const method = classicalMethod(settings.method);
      const size = targetSize(image.width, image.height, { factor });
      checkOutputSize(size.width, size.height, options.maxOutputPixels);
      const pixels = await loadPixels(context, image);
      context.progress({ label: `upscale ${method} ×${factor}`, step: 0, total: 1 });
      const resized = await resampleClassical(pixels, size.width, size.height, method);
      const base = await context.images.putRaw(resized);
      throwIfCancelled(context.signal, 'upscale');
      context.progress({ label: `upscale ${method} ×${factor}`, step: 1, total: 1 });
      const generation: Record<string, unknown> = { strength };
      for (const key of ['model_id', 'steps', 'seed', 'negative_prompt'] as const) {
        if (settings[key] !== undefined) generation[key] = settings[key];
      }
      return context.invoke(DIFFUSERS_CAPABILITY_TYPE, 'imageToImage', [base, prompt, generation]);
    },
  };
}

function faceMethod(options: UpscaleCapabilityOptions, restorer: FaceRestorer): CapabilityMethod {
  return {
    label: 'Restore face',
    description: `Restores an aligned face crop with the configured model (${restorer.modelName}); the crop is resized to the model's input and back.`,
    params: [IMAGE_PARAM],
    returns: 'image',
    async run(context, ...args) {
      const image = requireImage(args[0]);
      checkOutputSize(image.width, image.height, options.maxOutputPixels);
      const pixels = await loadPixels(context, image);
      throwIfCancelled(context.signal, 'face restoration');
      const restored = await restorer.restore(pixels);
      return context.images.putRaw(restored, {
        parameters: `Face restoration: ${restorer.modelName}`,
        viwo: JSON.stringify({ kind: 'face-restoration', model: restorer.modelName }),
      });
    },
  };
}

/**
 * What an upscale really produces, for handle bounds: the output size and the factor it amounts
 * to (width/height overriding `factor` still count as a factor), so `max_factor: 2` also limits
 * an explicit 4000×4000 target.
 */
function outputEffects(
  image: unknown,
  request: { factor?: number; width?: number; height?: number },
): Record<string, number> {
  const value = image as { width?: unknown; height?: unknown } | null;
  if (typeof value?.width !== 'number' || typeof value.height !== 'number') return {};
  const size = targetSize(value.width, value.height, request);
  return {
    factor: Math.max(size.width / value.width, size.height / value.height),
    width: size.width,
    height: size.height,
  };
}
