import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { DenoiseHooks } from '../pipeline/denoise-loop.ts';
import {
  describeInputs,
  floatTensor,
  idsTensor,
  requireInput,
  tensorToFloat32,
} from '../pipeline/onnx-tensors.ts';
import type { PromptEmbeddings } from '../pipeline/text-encoding.ts';
import { lcmGuidanceEmbedding } from '../schedulers/lcm-scheduler.ts';
import type { ClipTokenizer } from '../tokenizer/clip-tokenizer.ts';

/** One SDXL text encoder with its tokenizer. */
export interface SdxlEncoder {
  session: InferenceSession;
  tokenizer: ClipTokenizer;
}

/** SDXL conditioning for one prompt: concatenated penultimate states and encoder 2's pooled vector. */
export interface SdxlPromptConditioning {
  hidden: PromptEmbeddings;
  /** `text_embeds` of encoder 2 (`[pooledWidth]`). */
  pooled: Float32Array;
}

/**
 * The penultimate hidden-state output of an SDXL text encoder export (`hidden_states.11` of
 * CLIP-L, `hidden_states.31` of OpenCLIP-G): SDXL conditions on the layer before the last.
 */
export function penultimateHiddenOutput(session: InferenceSession, what: string): string {
  const indices = session.outputNames
    .map((name) => /^hidden_states\.(\d+)$/.exec(name)?.[1])
    .filter((index): index is string => index !== undefined)
    .map(Number);
  if (indices.length < 2) {
    throw new Error(
      `${what} has no hidden_states.N outputs (SDXL needs the penultimate layer); outputs: ${session.outputNames.join(', ')}`,
    );
  }
  return `hidden_states.${Math.max(...indices) - 1}`;
}

/**
 * Encodes one prompt pair with both encoders: `[1, tokens, h1 + h2]` penultimate states (encoder 1
 * gets `prompt`, encoder 2 `prompt2`) and encoder 2's pooled `text_embeds`.
 */
export async function encodeSdxlPrompt(
  encoders: readonly [SdxlEncoder, SdxlEncoder],
  prompt: string,
  prompt2: string,
): Promise<SdxlPromptConditioning> {
  const states: Float32Array[] = [];
  const widths: number[] = [];
  let tokens = 0;
  let pooled = new Float32Array(0);
  for (const [index, encoder] of encoders.entries()) {
    const what = `SDXL text_encoder${index === 0 ? '' : '_2'}`;
    const ids = requireInput(describeInputs(encoder.session), ['input_ids'], what);
    const hiddenName = penultimateHiddenOutput(encoder.session, what);
    const feeds = {
      [ids.name]: idsTensor([encoder.tokenizer.encode(index === 0 ? prompt : prompt2)], ids.type),
    };
    const outputs = await encoder.session.run(feeds);
    const hidden = outputs[hiddenName] as Tensor;
    const [, count, width] = hidden.dims as number[];
    tokens = count!;
    widths.push(width!);
    states.push(tensorToFloat32(hidden));
    if (index === 1) {
      const pooledName = ['text_embeds', 'pooler_output'].find((name) => name in outputs);
      if (!pooledName) throw new Error(`${what} has no text_embeds output`);
      pooled = tensorToFloat32(outputs[pooledName] as Tensor).slice();
    }
  }
  const hiddenWidth = widths[0]! + widths[1]!;
  const data = new Float32Array(tokens * hiddenWidth);
  for (let token = 0; token < tokens; token++) {
    data.set(
      states[0]!.subarray(token * widths[0]!, (token + 1) * widths[0]!),
      token * hiddenWidth,
    );
    data.set(
      states[1]!.subarray(token * widths[1]!, (token + 1) * widths[1]!),
      token * hiddenWidth + widths[0]!,
    );
  }
  return { hidden: { data, count: 1, tokens, hidden: hiddenWidth }, pooled };
}

/** Zero conditioning of the same shape (SDXL's `force_zeros_for_empty_prompt` negatives). */
export function zeroConditioning(like: SdxlPromptConditioning): SdxlPromptConditioning {
  return {
    hidden: { ...like.hidden, data: new Float32Array(like.hidden.data.length) },
    pooled: new Float32Array(like.pooled.length),
  };
}

/** SDXL micro-conditioning `time_ids`: original size, crop top-left, target size (height first). */
export function sdxlTimeIds(width: number, height: number): Float32Array {
  return Float32Array.from([height, width, 0, 0, height, width]);
}

/**
 * Denoise hooks feeding SDXL's added conditioning: `text_embeds` and `time_ids` per UNet row
 * (negative row first when classifier-free guidance doubles the batch, matching the context order),
 * plus `timestep_cond` (the LCM guidance embedding of `guidanceScale`) when the UNet declares it.
 */
export function sdxlDenoiseHooks(
  unet: InferenceSession,
  positive: SdxlPromptConditioning,
  negative: SdxlPromptConditioning | undefined,
  timeIds: Float32Array,
  guidanceScale = 0,
): DenoiseHooks {
  const inputs = describeInputs(unet);
  const textEmbeds = requireInput(inputs, ['text_embeds'], 'SDXL unet');
  const timeIdsInput = requireInput(inputs, ['time_ids'], 'SDXL unet');
  const rows = negative ? [negative.pooled, positive.pooled] : [positive.pooled];
  const pooled = new Float32Array(rows.length * positive.pooled.length);
  const ids = new Float32Array(rows.length * timeIds.length);
  for (const [index, row] of rows.entries()) {
    pooled.set(row, index * positive.pooled.length);
    ids.set(timeIds, index * timeIds.length);
  }
  const feeds: Record<string, Tensor> = {
    [textEmbeds.name]: floatTensor(pooled, [rows.length, positive.pooled.length], textEmbeds.type),
    [timeIdsInput.name]: floatTensor(ids, [rows.length, timeIds.length], timeIdsInput.type),
  };
  // LCM-distilled UNets (LCM-LoRA fused exports) take the guidance scale as an embedding.
  const condition = inputs.get('timestep_cond');
  if (condition) {
    const width = condition.shape[1];
    if (typeof width !== 'number') throw new Error('SDXL unet timestep_cond has no fixed width');
    const embedding = lcmGuidanceEmbedding(guidanceScale, width);
    const rowsOf = new Float32Array(rows.length * width);
    for (let row = 0; row < rows.length; row++) rowsOf.set(embedding, row * width);
    feeds[condition.name] = floatTensor(rowsOf, [rows.length, width], condition.type);
  }
  return { extraInputs: () => feeds };
}
