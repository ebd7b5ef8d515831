import {
  type CapabilityCallContext,
  type CapabilityDefinition,
  CapabilityError,
  type CapabilityMethod,
  defineCapability,
  defineMethod,
  type ImageValue,
  param,
  throwIfCancelled,
} from '@viwo/core';
import { CLASSICAL_METHODS, type PixelImage, resampleClassical, targetSize } from './classical.ts';
import { messageOf } from './errors.ts';
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
  /** The execution provider sessions run on (`cpu`, `cuda`): part of a result's cache identity. */
  executionProvider?: () => string;
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

const imageParam = () =>
  param.image({ name: 'image', label: 'Image', description: 'Image to upscale' });

/** Rejects outputs over the pixel limit before any work starts (metadata cannot bound this). */
function checkOutputSize(width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) {
    throw new CapabilityError(
      'InvalidArgument',
      `output would be ${width}×${height} = ${width * height} pixels, over the limit of ${maxPixels}`,
      { param: 'options' },
    );
  }
}

/** Decoded RGBA pixels of a stored image; an undecodable image is a clear error. */
async function loadPixels(context: CapabilityCallContext, image: ImageValue): Promise<PixelImage> {
  try {
    return await context.images.getRaw(image, 4);
  } catch (error) {
    throw new CapabilityError(
      'InvalidArgument',
      `image ${image.$image.slice(0, 12)}… could not be read: ${messageOf(error)}`,
      { param: 'image' },
    );
  }
}

function modelMethod(
  options: UpscaleCapabilityOptions,
  offered: Map<string, number[]>,
): CapabilityMethod {
  return withOutputEffects(modelMethodDeclaration(options, offered));
}

function modelMethodDeclaration(
  options: UpscaleCapabilityOptions,
  offered: Map<string, number[]>,
): CapabilityMethod {
  const modelIds = [...offered.keys()];
  const defaultModel = offered.has('esrgan-slim') ? 'esrgan-slim' : modelIds[0]!;
  const allFactors = [...new Set([...offered.values()].flat())].sort((a, b) => a - b);
  const defaultFactor = offered.get(defaultModel)!.includes(4) ? 4 : offered.get(defaultModel)![0]!;
  const offeredText = modelIds.map((id) => `${id}: ×${offered.get(id)!.join('/×')}`).join('; ');
  return defineMethod({
    label: 'Upscale (ESRGAN)',
    description: `Super-resolves an image with an ESRGAN model. Installed: ${offeredText}. Alpha is upscaled with Lanczos and re-attached.`,
    params: [
      imageParam(),
      param.object(
        {
          model: param.enum(modelIds, { label: 'Model', default: defaultModel }),
          factor: param.enum(allFactors, {
            label: 'Factor',
            default: defaultFactor,
            description: 'Scale; each model offers its own factors',
          }),
          tile_size: param.integer({
            label: 'Tile size',
            min: MIN_TILE_SIZE,
            max: MAX_TILE_SIZE,
            optional: true,
            description: 'Input pixels per tile side; default from the memory cap',
          }),
        },
        {
          name: 'options',
          label: 'Options',
          description: 'Model, factor and tiling',
          optional: true,
        },
      ),
    ],
    returns: 'image',
    cost: ([image, { factor }]) => (image.width * image.height * factor * factor) / 1e6,
    // ESRGAN has no randomness: equal inputs on the same weights and provider give equal pixels.
    async cacheIdentity([, { model, factor }]) {
      const identity = await options.upscaler.cacheIdentity(model, factor);
      const provider = options.executionProvider?.() ?? 'cpu';
      return identity === undefined ? undefined : `${provider}:${identity}`;
    },
    async run(context, image, { model, factor, tile_size: tileSize }) {
      // Resolve first so a model/factor pair that is not installed fails before any decoding.
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
  });
}

function traditionalMethod(options: UpscaleCapabilityOptions): CapabilityMethod {
  return withOutputEffects(traditionalMethodDeclaration(options));
}

function traditionalMethodDeclaration(options: UpscaleCapabilityOptions): CapabilityMethod {
  return defineMethod({
    label: 'Upscale (classical)',
    description:
      'Resamples with sharp: lanczos (Lanczos-3), bicubic (Catmull-Rom), bilinear, nearest, or area (exact box filter). Give a factor or a target width/height.',
    params: [
      imageParam(),
      param.object(
        {
          method: param.enum(CLASSICAL_METHODS, { label: 'Method', default: 'lanczos' }),
          factor: param.number({ label: 'Factor', min: 1, max: 8, step: 0.5, default: 2 }),
          width: param.integer({
            label: 'Width',
            min: 1,
            optional: true,
            description: 'Target width (overrides factor)',
          }),
          height: param.integer({
            label: 'Height',
            min: 1,
            optional: true,
            description: 'Target height (overrides factor)',
          }),
        },
        {
          name: 'options',
          label: 'Options',
          description: 'Method and target size',
          optional: true,
        },
      ),
    ],
    returns: 'image',
    async run(context, image, { method, factor, width, height }) {
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
  });
}

function hybridMethod(options: UpscaleCapabilityOptions): CapabilityMethod {
  return defineMethod({
    label: 'Upscale (hybrid)',
    description:
      'Classical upscale, then an img2img refinement pass at low denoise through the diffusers.generate capability.',
    params: [
      imageParam(),
      param.text({ name: 'prompt', label: 'Prompt', description: 'What the refined image shows' }),
      param.object(
        {
          factor: param.number({ label: 'Factor', min: 1, max: 4, step: 0.5, default: 2 }),
          denoise_strength: param.number({
            label: 'Denoise strength',
            min: 0.2,
            max: 0.4,
            step: 0.05,
            default: 0.3,
          }),
          method: param.enum(CLASSICAL_METHODS, { label: 'Method', default: 'lanczos' }),
          model_id: param.string({ label: 'Diffusion model', optional: true }),
          steps: param.integer({ label: 'Steps', min: 1, max: 150, optional: true }),
          seed: param.seed({ label: 'Seed', optional: true }),
          negative_prompt: param.text({ label: 'Negative prompt', optional: true }),
        },
        {
          name: 'options',
          label: 'Options',
          description: 'Upscale and refinement settings',
          optional: true,
        },
      ),
    ],
    returns: 'image',
    async run(context, image, prompt, settings) {
      const { factor, denoise_strength: strength, method } = settings;
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
  });
}

function faceMethod(options: UpscaleCapabilityOptions, restorer: FaceRestorer): CapabilityMethod {
  return defineMethod({
    label: 'Restore face',
    description: `Restores an aligned face crop with the configured model (${restorer.modelName}); the crop is resized to the model's input and back.`,
    params: [imageParam()],
    returns: 'image',
    // One forward pass, no randomness: the model file's hash and the provider decide the pixels.
    cacheIdentity: async () =>
      `${options.executionProvider?.() ?? 'cpu'}:face:${await restorer.modelSha256()}`,
    async run(context, image) {
      checkOutputSize(image.width, image.height, options.maxOutputPixels);
      const pixels = await loadPixels(context, image);
      throwIfCancelled(context.signal, 'face restoration');
      const restored = await restorer.restore(pixels);
      return context.images.putRaw(restored, {
        parameters: `Face restoration: ${restorer.modelName}`,
        viwo: JSON.stringify({ kind: 'face-restoration', model: restorer.modelName }),
      });
    },
  });
}

/**
 * What an upscale really produces, for handle bounds: the output size and the factor it amounts
 * to (width/height overriding `factor` still count as a factor), so `max_factor: 2` also limits
 * an explicit 4000×4000 target.
 */
function outputEffects(
  image: { width: number; height: number },
  request: { factor?: number; width?: number; height?: number },
): Record<string, number> {
  const size = targetSize(image.width, image.height, {
    ...(typeof request.factor === 'number' ? { factor: request.factor } : {}),
    ...(typeof request.width === 'number' ? { width: request.width } : {}),
    ...(typeof request.height === 'number' ? { height: request.height } : {}),
  });
  return {
    factor: Math.max(size.width / image.width, size.height / image.height),
    width: size.width,
    height: size.height,
  };
}

/** Declares a method's effects (its validated image and options) for handle bounds. */
function withOutputEffects(method: CapabilityMethod): CapabilityMethod {
  return {
    ...method,
    effects: (args) =>
      outputEffects(
        args[0] as { width: number; height: number },
        (args[1] ?? {}) as { factor?: number; width?: number; height?: number },
      ),
  };
}
