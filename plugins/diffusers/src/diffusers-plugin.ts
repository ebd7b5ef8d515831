import type { CapabilityDefinition, Plugin, PluginContext } from '@viwo/core';
import {
  cudaFallbackMessage,
  effectiveProvider,
  type ProviderProbe,
  probeExecutionProvider,
} from '@viwo/onnx';
import { createGenerateCapability } from './capability/generate-capability.ts';
import { createControlnetCapability } from './controlnet/controlnet-capability.ts';
import { createInpaintCapability } from './inpaint/inpaint-capability.ts';
import { ModelRegistry } from './models/model-registry.ts';
import { createModelsCapability } from './models/models-capability.ts';
import { SessionCache } from './models/session-cache.ts';
import { StableDiffusionPipeline } from './pipeline/stable-diffusion-pipeline.ts';
import { DepthPreprocessor } from './preprocessors/depth-preprocessor.ts';
import { PoseClient } from './preprocessors/pose-client.ts';

/** Options of {@link createDiffusersPlugin}. */
export interface DiffusersPluginOptions {
  /** Install the tiny test models into an empty models folder (default true). */
  installTestModels?: boolean;
  /** Session memory cap in bytes (default `VIWO_DIFFUSERS_MEMORY_MB` or 8 GiB). */
  sessionMemoryBytes?: number;
  /**
   * More capabilities built on the same pipeline (inpaint, ControlNet): called after init with the
   * shared pipeline, so they reuse its registry, session cache and tokenizers.
   */
  extraCapabilities?: ((pipeline: StableDiffusionPipeline) => CapabilityDefinition[])[];
  /**
   * Path of a monocular depth ONNX model (DPT / MiDaS / Depth-Anything export) that makes the
   * `depth` control type available (default `VIWO_DEPTH_MODEL`; absent when neither is set).
   */
  depthModel?: string;
}

/** The plugin with its pipeline exposed (tests, benchmarks and sibling capabilities use it). */
export interface DiffusersPlugin extends Plugin {
  /** Available after `init`. */
  readonly pipeline: StableDiffusionPipeline | undefined;
}

/**
 * The diffusers plugin: scans `${dataDir}/models/diffusers` (installing the tiny test models on
 * first start) and serves `diffusers.generate` and `diffusers.inpaint`.
 */
export function createDiffusersPlugin(options: DiffusersPluginOptions = {}): DiffusersPlugin {
  let pipeline: StableDiffusionPipeline | undefined;
  let depth: DepthPreprocessor | undefined;
  let provider: ProviderProbe | undefined;
  // Pose weights ship in an npm package, so pose is always offered; the worker starts on first use.
  let pose: PoseClient | undefined;
  return {
    name: 'diffusers',
    version: '0.1.0',
    get pipeline() {
      return pipeline;
    },
    async init(context: PluginContext) {
      provider = await probeExecutionProvider();
      if (provider.reason) context.log('warn', cudaFallbackMessage(provider.reason));
      const registry = new ModelRegistry(context.dataDir, (level, message) =>
        context.log(level, message),
      );
      await registry.init({ installTestModels: options.installTestModels });
      const cache = new SessionCache(options.sessionMemoryBytes, (message) =>
        context.log('warn', message),
      );
      pipeline = new StableDiffusionPipeline(registry, cache);
      pose = new PoseClient();
      const depthPath = options.depthModel ?? process.env.VIWO_DEPTH_MODEL;
      if (depthPath) {
        depth = await DepthPreprocessor.load(depthPath, (message) => context.log('warn', message));
        context.log('info', `diffusers: depth preprocessor from ${depthPath}`);
      }
      const models = registry.list();
      context.log(
        'info',
        `diffusers: ${models.length} model(s), default ${registry.defaultModel()?.id ?? 'none'}`,
      );
    },
    executionProvider() {
      return provider ? effectiveProvider(provider) : 'cpu';
    },
    capabilities() {
      if (!pipeline) throw new Error('diffusers plugin used before init');
      const extra = (options.extraCapabilities ?? []).flatMap((build) => build(pipeline!));
      return [
        createGenerateCapability(pipeline),
        createInpaintCapability(pipeline),
        createModelsCapability(pipeline.registry, pipeline.cache),
        createControlnetCapability(pipeline, {
          ...(depth ? { depth } : {}),
          ...(pose ? { pose } : {}),
        }),
        ...extra,
      ];
    },
    async dispose() {
      await pipeline?.cache.clear();
      await depth?.dispose();
      await pose?.close();
      pipeline = undefined;
      depth = undefined;
      pose = undefined;
    },
  };
}
