import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DiffusersModelInfo } from '../models/model-info.ts';
import type { SessionCache } from '../models/session-cache.ts';
import type { DenoiseHooks } from '../pipeline/denoise-loop.ts';
import type { ResolvedGeneration } from '../pipeline/generation-request.ts';
import type { ModelSessions } from '../pipeline/model-sessions.ts';
import type { PromptEmbeddings } from '../pipeline/text-encoding.ts';
import type { TokenizerCache } from '../tokenizer/tokenizer-cache.ts';
import {
  encodeSdxlPrompt,
  type SdxlPromptConditioning,
  sdxlDenoiseHooks,
  sdxlTimeIds,
  zeroConditioning,
} from './sdxl-conditioning.ts';

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
  models: { readonly tokenizers: TokenizerCache; readonly cache: SessionCache },
  sessions: ModelSessions,
  prompts: SdxlPrompts,
): Promise<SdxlGenerationConditioning> {
  const model = sessions.info;
  if (!model.components.includes('text_encoder_2')) {
    throw new Error(`model '${model.id}' has no text_encoder_2, so it is not an SDXL model`);
  }
  const second = await models.cache.acquire(`${model.directory}/text_encoder_2/model.onnx`);
  try {
    const encoders = [
      { session: sessions.textEncoder.session, tokenizer: await models.tokenizers.get(model) },
      { session: second.session, tokenizer: await models.tokenizers.get(model, 'tokenizer_2') },
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

/** `force_zeros_for_empty_prompt` from `model_index.json` (diffusers' default for SDXL: true). */
async function forcesZeros(model: DiffusersModelInfo): Promise<boolean> {
  try {
    const index = JSON.parse(await readFile(join(model.directory, 'model_index.json'), 'utf8'));
    return index.force_zeros_for_empty_prompt !== false;
  } catch {
    return true;
  }
}
