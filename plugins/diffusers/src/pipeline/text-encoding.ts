import type { ClipTokenizer } from '../tokenizer/clip-tokenizer.ts';
import type { TextEncoderPart } from './model-sessions.ts';
import { idsTensor, runForOutput, tensorToFloat32 } from './onnx-tensors.ts';

/** Encoder hidden states for a batch of prompts: `[count, tokens, hidden]`, row-major. */
export interface PromptEmbeddings {
  data: Float32Array;
  count: number;
  tokens: number;
  hidden: number;
}

/** Tokenizes and encodes `prompts` in one text-encoder run. */
export async function encodePrompts(
  encoder: TextEncoderPart,
  tokenizer: ClipTokenizer,
  prompts: readonly string[],
): Promise<PromptEmbeddings> {
  const ids = prompts.map((prompt) => tokenizer.encode(prompt));
  const output = await runForOutput(
    encoder.session,
    { [encoder.ids.name]: idsTensor(ids, encoder.ids.type) },
    encoder.hiddenOutput,
    'text encoder',
  );
  const [count, tokens, hidden] = output.dims as number[];
  return { data: tensorToFloat32(output).slice(), count: count!, tokens: tokens!, hidden: hidden! };
}

/** Rows `index` of a batch of embeddings, as a batch of one. */
export function embeddingRow(embeddings: PromptEmbeddings, index: number): PromptEmbeddings {
  const size = embeddings.tokens * embeddings.hidden;
  return { ...embeddings, count: 1, data: embeddings.data.slice(index * size, (index + 1) * size) };
}
