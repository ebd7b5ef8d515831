import type { ConversationOptions } from '@viwo/core';
import { invalidParams } from '@viwo/core/rpc';

/** Capability types a conversation can generate with. */
export const CONVERSATION_CAPABILITIES = ['diffusers.generate', 'runware'] as const;

/** Longest message accepted (a modification, or the first prompt). */
export const MAX_MESSAGE_LENGTH = 2000;

/** Longest title accepted. */
export const MAX_TITLE_LENGTH = 200;

/**
 * Per-send overrides of the conversation's options for one turn: a user-set strength, a new seed
 * (`/strength`, `/seed` in the CLI), or any other generation option.
 */
export type SendOverrides = Partial<ConversationOptions>;

type Params = Record<string, unknown>;

const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** A required non-empty string param. */
export function requiredString(params: Params, name: string): string {
  const value = params[name];
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw invalidParams(name, 'must be a non-empty string');
  }
  return value;
}

/** An optional string param (null counts as absent). */
export function optionalString(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParams(name, 'must be a string');
  return value;
}

/** The message of a send: trimmed, non-empty, at most {@link MAX_MESSAGE_LENGTH} characters. */
export function messageParam(params: Params): string {
  const value = params.message;
  if (typeof value !== 'string') throw invalidParams('message', 'must be a string');
  const message = value.trim();
  if (message.length === 0) throw invalidParams('message', 'is empty; say what to draw or change');
  if (message.length > MAX_MESSAGE_LENGTH) {
    throw invalidParams(
      'message',
      `is ${message.length} characters; the limit is ${MAX_MESSAGE_LENGTH}`,
    );
  }
  return message;
}

function numberField(
  source: Params,
  path: string,
  key: string,
  range: { min: number; max: number; integer?: boolean },
): number | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (range.integer && !Number.isInteger(value)) ||
    value < range.min ||
    value > range.max
  ) {
    const kind = range.integer ? 'an integer' : 'a number';
    throw invalidParams(`${path}.${key}`, `must be ${kind} from ${range.min} to ${range.max}`);
  }
  return value;
}

function rejectUnknown(source: Params, path: string, allowed: readonly string[]): void {
  for (const key of Object.keys(source)) {
    if (!allowed.includes(key)) {
      throw invalidParams(`${path}.${key}`, `is not an option (allowed: ${allowed.join(', ')})`);
    }
  }
}

function objectField(raw: unknown, path: string): Params {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidParams(path, 'must be an object');
  return raw as Params;
}

const OPTION_KEYS = [
  'capability',
  'model_id',
  'width',
  'height',
  'steps',
  'guidance_scale',
  'strength',
  'seed',
] as const;

const NUMBER_FIELDS = {
  width: { min: 64, max: 4096, integer: true },
  height: { min: 64, max: 4096, integer: true },
  steps: { min: 1, max: 150, integer: true },
  guidance_scale: { min: 0, max: 30 },
  strength: { min: 0.01, max: 1 },
  seed: { min: 0, max: MAX_SEED, integer: true },
} as const;

function capabilityField(value: unknown, registered: readonly string[]): string {
  const known = CONVERSATION_CAPABILITIES as readonly string[];
  if (typeof value !== 'string' || !known.includes(value)) {
    throw invalidParams('options.capability', `must be one of ${known.join(', ')}`);
  }
  if (!registered.includes(value)) {
    const available = registered.filter((type) => known.includes(type)).join(', ') || 'none';
    throw invalidParams(
      'options.capability',
      `${value} is not available on this server (available: ${available})`,
    );
  }
  return value;
}

/**
 * Validates conversation options (all keys optional): the capability must be one of
 * {@link CONVERSATION_CAPABILITIES} and registered; numbers in range; unknown keys refused.
 */
export function partialOptions(
  raw: unknown,
  registered: readonly string[],
): Partial<ConversationOptions> {
  const source = objectField(raw, 'options');
  rejectUnknown(source, 'options', OPTION_KEYS);
  const options: Partial<ConversationOptions> = {};
  if (source.capability !== undefined && source.capability !== null) {
    options.capability = capabilityField(source.capability, registered);
  }
  const modelId = source.model_id;
  if (modelId !== undefined && modelId !== null) {
    if (typeof modelId !== 'string' || modelId.length === 0) {
      throw invalidParams('options.model_id', 'must be a non-empty string');
    }
    options.model_id = modelId;
  }
  for (const [key, range] of Object.entries(NUMBER_FIELDS)) {
    const value = numberField(source, 'options', key, range);
    if (value !== undefined) (options as Record<string, number>)[key] = value;
  }
  return options;
}

/** Validates `conversations.create` options; the capability defaults to `diffusers.generate`. */
export function conversationOptions(
  raw: unknown,
  registered: readonly string[],
): ConversationOptions {
  const options = partialOptions(raw, registered);
  return {
    ...options,
    capability: options.capability ?? capabilityField('diffusers.generate', registered),
  };
}
