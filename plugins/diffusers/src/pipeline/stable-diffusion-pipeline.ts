import {
  type CapabilityCallContext,
  CapabilityError,
  type ImageValue,
  type RawImage,
} from '@viwo/core';
import type { ModelRegistry } from '../models/model-registry.ts';
import type { SessionCache } from '../models/session-cache.ts';
import { CounterNormalRng } from '../rng/counter-normal-rng.ts';
import { createScheduler } from '../schedulers/create-scheduler.ts';
import { stepNoiseFrom } from '../schedulers/scheduler.ts';
import { prepareSdxlConditioning, type SdxlGenerationConditioning } from '../sdxl/sdxl-pipeline.ts';
import { TokenizerCache } from '../tokenizer/tokenizer-cache.ts';
import { type DenoiseHooks, type DenoiseResult, denoise } from './denoise-loop.ts';
import type { ResolvedGeneration } from './generation-request.ts';
import {
  imageToPixels,
  latentPreview,
  type PaddedSize,
  padSize,
  pixelsToImage,
} from './image-layout.ts';
import { ModelSessions } from './model-sessions.ts';
import { prepareRegions, type RegionCondition } from './regional-prompts.ts';
import { embeddingRow, encodePrompts, type PromptEmbeddings } from './text-encoding.ts';
import { decodeLatents, encodePixels } from './vae-codec.ts';

/** RNG stream of the initial latent noise (step noise uses 1000+, the VAE posterior 500). */
const INIT_NOISE_STREAM = 0;

/** Which image a generation starts from. */
export interface GenerationSource {
  /** Decoded input image for img2img-style methods. */
  image?: RawImage;
}

/** One finished batch item. */
export interface GeneratedItem {
  seed: number;
  image: RawImage;
  timing: DenoiseResult | undefined;
}

/** Hooks for a whole generation: per-item denoise hooks (built once the latent size is known). */
export interface GenerationHooks {
  denoiseHooks?(item: {
    size: PaddedSize;
    latentHeight: number;
    latentWidth: number;
    seed: number;
  }): Promise<DenoiseHooks> | DenoiseHooks;
  /** Post-processes the decoded, cropped image (inpaint pastes unmasked pixels back). */
  finishImage?(image: RawImage): Promise<RawImage> | RawImage;
}

/**
 * Runs Stable Diffusion pipelines for the plugin: owns tokenizers per model and borrows sessions
 * from the shared cache for each call.
 */
export class StableDiffusionPipeline {
  readonly tokenizers = new TokenizerCache();

  constructor(
    readonly registry: ModelRegistry,
    readonly cache: SessionCache,
  ) {}

  /**
   * Generates `batchSize` images. Item i uses seed + i and reports it through `recordSeed`.
   * txt2img without `source.image`; img2img with it (start step `N − min(⌊N·strength⌋, N)`).
   */
  async generate(
    generation: ResolvedGeneration,
    context: Pick<CapabilityCallContext, 'signal' | 'images' | 'progress' | 'recordSeed'>,
    source: GenerationSource = {},
    hooks: GenerationHooks = {},
  ): Promise<GeneratedItem[]> {
    const model = generation.model;
    const sessions = await ModelSessions.open(model, this.cache);
    let sdxl: SdxlGenerationConditioning | undefined;
    try {
      let positive: PromptEmbeddings;
      let negative: PromptEmbeddings | undefined;
      if (model.components.includes('text_encoder_2')) {
        // SDXL layouts: two encoders, pooled text_embeds and time_ids (src/sdxl).
        sdxl = await prepareSdxlConditioning(this, sessions, generation);
        positive = sdxl.positive;
        negative = sdxl.negative;
      } else {
        const tokenizer = await this.tokenizers.get(model);
        const guided = generation.guidanceScale > 1;
        const prompts = guided
          ? [generation.negativePrompt, generation.prompt]
          : [generation.prompt];
        const embeddings = await encodePrompts(sessions.textEncoder, tokenizer, prompts);
        negative = guided ? embeddingRow(embeddings, 0) : undefined;
        positive = embeddingRow(embeddings, guided ? 1 : 0);
      }
      const size = padSize(generation.width, generation.height, model.alignment);
      const regions = await this.regionConditions(
        generation,
        sessions,
        size,
        context.images,
        !!sdxl,
      );
      const latentHeight = size.paddedHeight / 8;
      const latentWidth = size.paddedWidth / 8;
      const plane = 4 * latentHeight * latentWidth;
      const pixels = source.image ? await imageToPixels(source.image, size) : undefined;
      const steps = generation.steps;
      const initSteps = source.image
        ? Math.min(Math.floor(steps * generation.strength), steps)
        : steps;
      const startIndex = steps - initSteps;
      const totalSteps = Math.max(initSteps, 1) * generation.batchSize;
      const previewEvery = Math.max(1, Math.ceil(initSteps / 4));
      const items: GeneratedItem[] = [];
      for (let item = 0; item < generation.batchSize; item++) {
        if (context.signal.aborted) throw abortError();
        const seed = generation.seed + item;
        context.recordSeed(seed);
        const rng = new CounterNormalRng(seed);
        const scheduler = createScheduler(generation.scheduler, model.schedulerConfig, steps);
        const noise = rng.normals(plane, INIT_NOISE_STREAM);
        let latents: Float32Array;
        if (pixels) {
          const encoder = await sessions.vaeEncoder();
          const clean = await encodePixels(
            encoder,
            pixels,
            size.paddedHeight,
            size.paddedWidth,
            model.scalingFactor,
            rng,
          );
          latents = startIndex < steps ? scheduler.addNoise(clean, noise, startIndex) : clean;
        } else {
          latents = noise.map((value) => value * scheduler.initNoiseSigma);
        }
        let timing: DenoiseResult | undefined;
        if (startIndex < steps) {
          const itemHooks = await hooks.denoiseHooks?.({
            size,
            latentHeight,
            latentWidth,
            seed,
          });
          const denoiseHooks = sdxl
            ? sdxl.withHooks(itemHooks, size.paddedWidth, size.paddedHeight)
            : itemHooks;
          timing = await denoise({
            unet: sessions.unet,
            scheduler,
            latents,
            latentHeight,
            latentWidth,
            positive,
            negative,
            guidanceScale: generation.guidanceScale,
            startIndex,
            noise: stepNoiseFrom(rng, INIT_NOISE_STREAM),
            signal: context.signal,
            hooks: denoiseHooks,
            ...(regions.length > 0 ? { regions } : {}),
            onStep: async (done, total, current) => {
              const preview =
                done % previewEvery === 0 && done < total
                  ? await context.images.putRaw(latentPreview(current, latentHeight, latentWidth))
                  : undefined;
              context.progress({
                label:
                  generation.batchSize > 1
                    ? `denoising image ${item + 1}/${generation.batchSize}`
                    : 'denoising',
                step: item * initSteps + done,
                total: totalSteps,
                ...(preview ? { preview } : {}),
              });
            },
          });
          latents = timing.latents;
        } else {
          context.progress({ label: 'decoding', step: item + 1, total: generation.batchSize });
        }
        if (context.signal.aborted) throw abortError();
        const decoded = await decodeLatents(
          sessions.vaeDecoder,
          latents,
          latentHeight,
          latentWidth,
          model.scalingFactor,
        );
        if (decoded.width !== size.paddedWidth || decoded.height !== size.paddedHeight) {
          throw new Error(
            `VAE decoder of '${model.id}' returned ${decoded.width}×${decoded.height}, expected ${size.paddedWidth}×${size.paddedHeight}`,
          );
        }
        let image = pixelsToImage(decoded.pixels, size);
        if (hooks.finishImage) image = await hooks.finishImage(image);
        items.push({ seed, image, timing });
      }
      return items;
    } finally {
      sdxl?.release();
      sessions.release();
    }
  }

  /** Encodes the generation's regional prompts (SD 1.x/2.x; SDXL's extra inputs do not split). */
  private async regionConditions(
    generation: ResolvedGeneration,
    sessions: ModelSessions,
    size: PaddedSize,
    images: CapabilityCallContext['images'],
    isSdxl: boolean,
  ): Promise<RegionCondition[]> {
    if (generation.regions.length === 0) return [];
    if (isSdxl) {
      throw new CapabilityError(
        'InvalidArgument',
        `regions need an SD 1.x/2.x model; '${generation.model.id}' is SDXL`,
        { param: 'options.regions' },
      );
    }
    const tokenizer = await this.tokenizers.get(generation.model);
    return prepareRegions(
      generation.regions,
      sessions.textEncoder,
      tokenizer,
      images,
      size,
      generation.guidanceScale > 1,
    );
  }
}

/** Stores generated items with their metadata chunks; returns one value or a list for batches. */
export async function storeItems(
  items: GeneratedItem[],
  images: CapabilityCallContext['images'],
  chunks: (item: GeneratedItem) => Record<string, string>,
): Promise<ImageValue | ImageValue[]> {
  const stored: ImageValue[] = [];
  for (const item of items) stored.push(await images.putRaw(item.image, chunks(item)));
  return stored.length === 1 ? stored[0]! : stored;
}

function abortError(): Error {
  const error = new Error('generation cancelled');
  error.name = 'AbortError';
  return error;
}
