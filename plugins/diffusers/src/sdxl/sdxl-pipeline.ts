import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RawImage } from '@viwo/core';
import type { DiffusersModelInfo } from '../models/model-info.ts';
import { type DenoiseHooks, denoise } from '../pipeline/denoise-loop.ts';
import type { ResolvedGeneration } from '../pipeline/generation-request.ts';
import { padSize, pixelsToImage } from '../pipeline/image-layout.ts';
import { ModelSessions } from '../pipeline/model-sessions.ts';
import type { StableDiffusionPipeline } from '../pipeline/stable-diffusion-pipeline.ts';
import type { PromptEmbeddings } from '../pipeline/text-encoding.ts';
import { decodeLatents } from '../pipeline/vae-codec.ts';
import { CounterNormalRng } from '../rng/counter-normal-rng.ts';
import { createScheduler } from '../schedulers/create-scheduler.ts';
// Installs the tiny SDXL-Turbo layout with the other test models on first start.
import '../tiny-models/sdxl-tiny-model.ts';
import { stepNoiseFrom } from '../schedulers/scheduler.ts';
import {
  encodeSdxlPrompt,
  type SdxlPromptConditioning,
  sdxlDenoiseHooks,
  sdxlTimeIds,
  zeroConditioning,
} from './sdxl-conditioning.ts';

/** One SDXL / SDXL-Turbo text-to-image request. */
export interface SdxlRequest {
  prompt: string;
  /** Prompt for encoder 2 (defaults to `prompt`, as diffusers does). */
  prompt2?: string;
  negativePrompt?: string;
  negativePrompt2?: string;
  seed: number;
  steps: number;
  guidanceScale: number;
  width: number;
  height: number;
  scheduler: string;
  signal?: AbortSignal;
}

/** SDXL text conditioning for one generation, ready for the shared denoise loop. */
export interface SdxlGenerationConditioning {
  positive: PromptEmbeddings;
  /** Present iff classifier-free guidance runs (never for LCM-distilled UNets). */
  negative?: PromptEmbeddings;
  /** The caller's hooks plus SDXL's `text_embeds`/`time_ids` (and `timestep_cond`) inputs. */
  withHooks(hooks: DenoiseHooks | undefined, width: number, height: number): DenoiseHooks;
  /** Lets the cache unload `text_encoder_2` again. */
  release(): void;
}

/** The prompt fields SDXL conditioning reads (a subset of the resolved generation). */
export type SdxlPrompts = Pick<
  ResolvedGeneration,
  'prompt' | 'prompt2' | 'negativePrompt' | 'negativePrompt2' | 'guidanceScale'
>;

/**
 * Encodes the prompts of an SDXL-layout model (two text encoders): penultimate states of both
 * concatenated, pooled `text_embeds` from encoder 2; `prompt2` / `negativePrompt2` default to the
 * first prompts; negatives are zeros when both are empty and the model sets
 * `force_zeros_for_empty_prompt`.
 */
export async function prepareSdxlConditioning(
  pipeline: StableDiffusionPipeline,
  sessions: ModelSessions,
  prompts: SdxlPrompts,
): Promise<SdxlGenerationConditioning> {
  const model = sessions.info;
  if (!model.components.includes('text_encoder_2')) {
    throw new Error(`model '${model.id}' has no text_encoder_2, so it is not an SDXL model`);
  }
  const second = await pipeline.cache.acquire(`${model.directory}/text_encoder_2/model.onnx`);
  try {
    const encoders = [
      { session: sessions.textEncoder.session, tokenizer: await pipeline.tokenizer(model) },
      { session: second.session, tokenizer: await pipeline.tokenizer(model, 'tokenizer_2') },
    ] as const;
    const positive = await encodeSdxlPrompt(
      encoders,
      prompts.prompt,
      prompts.prompt2 || prompts.prompt,
    );
    // LCM-distilled UNets take guidance as `timestep_cond` and never run classifier-free guidance.
    const lcmUnet = sessions.unet.extra.some((input) => input.name === 'timestep_cond');
    const guided = prompts.guidanceScale > 1 && !lcmUnet;
    const negativePrompt = prompts.negativePrompt ?? '';
    const negativePrompt2 = prompts.negativePrompt2 || negativePrompt;
    let negative: SdxlPromptConditioning | undefined;
    if (guided) {
      negative =
        negativePrompt === '' && negativePrompt2 === '' && (await forcesZeros(model))
          ? zeroConditioning(positive)
          : await encodeSdxlPrompt(encoders, negativePrompt, negativePrompt2);
    }
    return {
      positive: positive.hidden,
      negative: negative?.hidden,
      withHooks(hooks, width, height) {
        const sdxl = sdxlDenoiseHooks(
          sessions.unet.session,
          positive,
          negative,
          sdxlTimeIds(width, height),
          prompts.guidanceScale,
        );
        return {
          ...hooks,
          extraInputs: async (step, scaled) => ({
            ...(await sdxl.extraInputs?.(step, scaled)),
            ...(await hooks?.extraInputs?.(step, scaled)),
          }),
        };
      },
      release: second.release,
    };
  } catch (error) {
    second.release();
    throw error;
  }
}

/**
 * Text-to-image for SDXL-layout models (two text encoders, `text_embeds`/`time_ids`): the shared
 * denoise loop with SDXL conditioning hooks, one image; deterministic per seed.
 */
export async function generateSdxl(
  pipeline: StableDiffusionPipeline,
  model: DiffusersModelInfo,
  request: SdxlRequest,
): Promise<RawImage> {
  if (!model.components.includes('text_encoder_2')) {
    throw new Error(`model '${model.id}' has no text_encoder_2, so it is not an SDXL model`);
  }
  const sessions = await ModelSessions.open(model, pipeline.cache);
  try {
    const conditioning = await prepareSdxlConditioning(pipeline, sessions, {
      prompt: request.prompt,
      prompt2: request.prompt2,
      negativePrompt: request.negativePrompt ?? '',
      negativePrompt2: request.negativePrompt2,
      guidanceScale: request.guidanceScale,
    });
    try {
      const size = padSize(request.width, request.height, model.alignment);
      const latentHeight = size.paddedHeight / 8;
      const latentWidth = size.paddedWidth / 8;
      const rng = new CounterNormalRng(request.seed);
      const scheduler = createScheduler(request.scheduler, model.schedulerConfig, request.steps);
      const latents = rng
        .normals(4 * latentHeight * latentWidth, 0)
        .map((value) => value * scheduler.initNoiseSigma);
      const result = await denoise({
        unet: sessions.unet,
        scheduler,
        latents,
        latentHeight,
        latentWidth,
        positive: conditioning.positive,
        negative: conditioning.negative,
        guidanceScale: request.guidanceScale,
        startIndex: 0,
        noise: stepNoiseFrom(rng, 0),
        signal: request.signal ?? new AbortController().signal,
        hooks: conditioning.withHooks(undefined, size.paddedWidth, size.paddedHeight),
      });
      const decoded = await decodeLatents(
        sessions.vaeDecoder,
        result.latents,
        latentHeight,
        latentWidth,
        model.scalingFactor,
      );
      return pixelsToImage(decoded.pixels, size);
    } finally {
      conditioning.release();
    }
  } finally {
    sessions.release();
  }
}

/** `force_zeros_for_empty_prompt` from `model_index.json` (diffusers' default for SDXL: true). */
async function forcesZeros(model: DiffusersModelInfo): Promise<boolean> {
  try {
    const index = JSON.parse(await readFile(join(model.directory, 'model_index.json'), 'utf8'));
    return index.force_zeros_for_empty_prompt !== false;
  } catch {
    return true;
  }
}
