import type { CapabilityDefinition, Plugin, PluginContext } from '@viwo/core';
import {
  cudaFallbackMessage,
  effectiveProvider,
  type ProviderProbe,
  probeExecutionProvider,
} from '@viwo/onnx';
import { createUpscaleCapability, DIFFUSERS_CAPABILITY_TYPE } from './capability.ts';
import type { UpscaleModelEntry } from './converter/model-catalog.ts';
import { EsrganUpscaler } from './esrgan-upscaler.ts';
import { FaceRestorer } from './face-restorer.ts';

/** Options for {@link createUpscalePlugin}; every one has a sensible default. */
export interface UpscalePluginOptions {
  /** Activation memory one tile may use (bytes); picks the tile size. Default 512 MiB. */
  memoryCapBytes?: number;
  /** Unload a model's session after this long unused (ms). Default 5 minutes. */
  idleUnloadMs?: number;
  /** onnxruntime intra-op threads; default onnxruntime's choice. */
  threads?: number;
  /** Largest output image (pixels). Default 4096×4096, the image store's default bound. */
  maxOutputPixels?: number;
  /**
   * Path of a face-restoration ONNX model (GFPGAN/CodeFormer shape). Default `VIWO_FACE_MODEL`;
   * without one, no face method is registered.
   */
  faceRestorationModel?: string;
  /** Installed models; discovered from the `@upscalerjs/*` packages when omitted. */
  models?: UpscaleModelEntry[];
}

const DEFAULT_MAX_OUTPUT_PIXELS = 4096 * 4096;

/**
 * The upscale plugin: capability type `upscale` (ESRGAN via onnxruntime, classical via sharp,
 * hybrid when `diffusers.generate` is present, face restoration when a model is configured).
 */
export function createUpscalePlugin(options: UpscalePluginOptions = {}): Plugin {
  let upscaler: EsrganUpscaler | undefined;
  let faceRestorer: FaceRestorer | undefined;
  let hybrid = false;
  let provider: ProviderProbe | undefined;
  return {
    name: 'upscale',
    version: '0.1.0',
    async init(context: PluginContext) {
      provider = await probeExecutionProvider();
      if (provider.reason) context.log('warn', cudaFallbackMessage(provider.reason));
      const log = (level: 'info' | 'warn', message: string) => context.log(level, message);
      upscaler = await EsrganUpscaler.create({
        dataDir: context.dataDir,
        log,
        ...(options.memoryCapBytes !== undefined ? { memoryCapBytes: options.memoryCapBytes } : {}),
        ...(options.idleUnloadMs !== undefined ? { idleUnloadMs: options.idleUnloadMs } : {}),
        ...(options.threads !== undefined ? { threads: options.threads } : {}),
        ...(options.models ? { models: options.models } : {}),
      });
      if (upscaler.models.length === 0) {
        context.log(
          'warn',
          'no @upscalerjs model packages installed; only classical upscaling is offered',
        );
      }
      hybrid = context.availableCapabilityTypes().includes(DIFFUSERS_CAPABILITY_TYPE);
      const facePath = options.faceRestorationModel ?? process.env.VIWO_FACE_MODEL;
      if (facePath)
        faceRestorer = await FaceRestorer.load(facePath, (message) => log('warn', message));
    },
    executionProvider() {
      return provider ? effectiveProvider(provider) : 'cpu';
    },
    capabilities(): CapabilityDefinition[] {
      if (!upscaler) throw new Error('upscale plugin: capabilities() called before init()');
      return [
        createUpscaleCapability({
          upscaler,
          maxOutputPixels: options.maxOutputPixels ?? DEFAULT_MAX_OUTPUT_PIXELS,
          hybrid,
          executionProvider: () => (provider ? effectiveProvider(provider) : 'cpu'),
          ...(faceRestorer ? { faceRestorer } : {}),
        }),
      ];
    },
    async dispose() {
      await upscaler?.dispose();
      await faceRestorer?.dispose();
      upscaler = undefined;
      faceRestorer = undefined;
    },
  };
}
