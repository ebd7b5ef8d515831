import type { Interpretation, RefineAction } from './rule-interpreter.ts';
import { ACTION_STRENGTH } from './vocabulary.ts';

/** Where and how to ask an Ollama model. */
export interface OllamaConfig {
  /** Base URL, e.g. `http://127.0.0.1:11434`. */
  url: string;
  model: string;
  /** `/api/chat` (default) or `/api/generate`. */
  endpoint?: 'chat' | 'generate';
  /** Ask for a streamed (newline-delimited JSON) answer; default false. */
  stream?: boolean;
  /** Give up after this long; default 20 s. */
  timeoutMs?: number;
}

/** The Ollama settings from `VIWO_OLLAMA_URL` / `VIWO_OLLAMA_MODEL` (and optional extras), or null. */
export function ollamaConfigFromEnv(
  env: Record<string, string | undefined> = process.env,
): OllamaConfig | null {
  const url = env.VIWO_OLLAMA_URL?.trim();
  const model = env.VIWO_OLLAMA_MODEL?.trim();
  if (!url || !model) return null;
  const timeout = Number(env.VIWO_OLLAMA_TIMEOUT_MS);
  return {
    url,
    model,
    endpoint: env.VIWO_OLLAMA_ENDPOINT === 'generate' ? 'generate' : 'chat',
    stream: env.VIWO_OLLAMA_STREAM === '1',
    ...(Number.isFinite(timeout) && timeout > 0 ? { timeoutMs: timeout } : {}),
  };
}

const ACTIONS = new Set<string>([...Object.keys(ACTION_STRENGTH), 'multiple']);

const SYSTEM = `You edit Stable Diffusion prompts. You get the current prompt, the current negative prompt and a modification the user typed. Answer with one JSON object and nothing else:
{"prompt": string, "negative_prompt": string, "strength": number, "action": string, "explanation": string}
- prompt: the whole new prompt; keep every part the modification does not touch, word for word.
- negative_prompt: the whole new negative prompt (things removed from the picture go here).
- strength: image-to-image strength from 0 to 1; small edits 0.4-0.5, adding or removing things 0.55, replacing 0.6, time/weather 0.65, style changes 0.75.
- action: one of attribute, replace, scene, add, remove, emphasis, style, multiple.
- explanation: one short sentence saying what changed.
Emphasis uses A1111 weights like (fog:1.2).`;

/** Why an Ollama answer was refused; the caller falls back to the rules. */
export class OllamaAnswerError extends Error {}

function userMessage(prompt: string, modification: string, negative: string): string {
  return JSON.stringify({ prompt, negative_prompt: negative, modification });
}

/** Reads an Ollama answer body (one JSON object, or NDJSON when streamed) into the model's text. */
export function ollamaText(body: string, endpoint: 'chat' | 'generate'): string {
  let text = '';
  let sawLine = false;
  for (const line of body.split('\n')) {
    if (line.trim().length === 0) continue;
    sawLine = true;
    let chunk: unknown;
    try {
      chunk = JSON.parse(line);
    } catch {
      throw new OllamaAnswerError('the reply is not JSON');
    }
    if (typeof chunk !== 'object' || chunk === null)
      throw new OllamaAnswerError('the reply is not an object');
    const record = chunk as {
      error?: unknown;
      response?: unknown;
      message?: { content?: unknown };
    };
    if (typeof record.error === 'string')
      throw new OllamaAnswerError(`Ollama said: ${record.error}`);
    const piece = endpoint === 'chat' ? record.message?.content : record.response;
    if (typeof piece === 'string') text += piece;
  }
  if (!sawLine) throw new OllamaAnswerError('the reply is empty');
  return text;
}

/** Checks the model's JSON against the result shape; throws naming the first bad field. */
export function validateOllamaResult(text: string, negativeFallback: string): Interpretation {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new OllamaAnswerError(
      `the model's answer is not JSON: ${JSON.stringify(text.slice(0, 80))}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OllamaAnswerError("the model's answer is not a JSON object");
  }
  const answer = value as Record<string, unknown>;
  const prompt = answer.prompt;
  if (typeof prompt !== 'string' || prompt.trim().length === 0 || prompt.length > 4000) {
    throw new OllamaAnswerError('prompt must be a non-empty string (at most 4000 characters)');
  }
  const negative = answer.negative_prompt ?? negativeFallback;
  if (typeof negative !== 'string' || negative.length > 4000)
    throw new OllamaAnswerError('negative_prompt must be a string');
  const strength = answer.strength;
  if (typeof strength !== 'number' || !Number.isFinite(strength) || strength < 0 || strength > 1) {
    throw new OllamaAnswerError('strength must be a number from 0 to 1');
  }
  const action = answer.action;
  if (typeof action !== 'string' || !ACTIONS.has(action)) {
    throw new OllamaAnswerError(`action must be one of ${[...ACTIONS].join(', ')}`);
  }
  const explanation = answer.explanation;
  if (typeof explanation !== 'string' || explanation.trim().length === 0) {
    throw new OllamaAnswerError('explanation must be a non-empty string');
  }
  return {
    prompt: prompt.trim(),
    negative_prompt: negative.trim(),
    strength,
    action: action as RefineAction,
    explanation: explanation.trim().split('\n')[0]!,
  };
}

/**
 * Asks an Ollama model for an interpretation with JSON output and validates it. Throws (an
 * `OllamaAnswerError`, a network error or a timeout) when there is no usable answer.
 */
export async function interpretWithOllama(
  config: OllamaConfig,
  prompt: string,
  modification: string,
  negative: string,
  signal?: AbortSignal,
): Promise<Interpretation> {
  const endpoint = config.endpoint ?? 'chat';
  const stream = config.stream ?? false;
  const input = userMessage(prompt, modification, negative);
  const body =
    endpoint === 'chat'
      ? {
          model: config.model,
          messages: [
            { role: 'system', content: SYSTEM },
            { role: 'user', content: input },
          ],
          format: 'json',
          stream,
        }
      : { model: config.model, system: SYSTEM, prompt: input, format: 'json', stream };
  const timeout = AbortSignal.timeout(config.timeoutMs ?? 20_000);
  const response = await fetch(new URL(`/api/${endpoint}`, config.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  const text = await response.text();
  if (!response.ok) {
    throw new OllamaAnswerError(`HTTP ${response.status}: ${text.slice(0, 200)}`);
  }
  return validateOllamaResult(ollamaText(text, endpoint), negative);
}
