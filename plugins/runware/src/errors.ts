import { CapabilityError, type CapabilityErrorCode } from '@viwo/core';
import type { RunwareErrorItem } from './client/runware-messages.ts';

/** Our positional argument names (Runware errors on them name the argument, not an option). */
const POSITIONAL = new Set(['prompt', 'image', 'mask', 'direction', 'pixels']);

/**
 * What went wrong, as this plugin tells failures apart (the client stops retrying on `auth`):
 * Runware refusing a task, a rejected or missing key, an unreachable or silent service, or an
 * answer we refuse (malformed, oversized, from a host we do not fetch from).
 */
export type RunwareFailure = 'refused' | 'auth' | 'unavailable' | 'bad-response';

/** The script-visible code each failure reaches the caller with (core's vocabulary). */
const CODES: Record<RunwareFailure, CapabilityErrorCode> = {
  refused: 'InvalidArgument',
  auth: 'CapabilityDenied',
  unavailable: 'Unavailable',
  'bad-response': 'PluginError',
};

/**
 * A failure of a Runware call, as core's `CapabilityError` (so its code and the param at fault
 * reach the caller as -32000 `data`). Its message never contains the API key.
 */
export class RunwarePluginError extends CapabilityError {
  constructor(
    readonly failure: RunwareFailure,
    message: string,
    options: { param?: string; runware?: RunwareErrorItem } = {},
  ) {
    super(CODES[failure], message, options.param === undefined ? {} : { param: options.param });
    this.name = 'RunwarePluginError';
    this.runware = options.runware;
  }

  /** Runware's own error item, when Runware refused the task. */
  readonly runware: RunwareErrorItem | undefined;
}

/** The error for a key Runware refused; permanent (no retry). */
export function rejectedKeyError(): RunwarePluginError {
  return new RunwarePluginError(
    'auth',
    'Runware rejected the API key: set a valid one with `bun run viwo config set runware.api_key KEY`, RUNWARE_API_KEY, or Settings',
  );
}

/** The error for calls made before any key is configured. */
export function missingKeyError(): RunwarePluginError {
  return new RunwarePluginError(
    'auth',
    'no Runware API key is set: run `bun run viwo config set runware.api_key KEY`, set RUNWARE_API_KEY, or enter it in Settings (get a key at https://my.runware.ai)',
  );
}

/**
 * Runware's refusal of a task as our error: its code, the parameter (as our option name when we
 * know it) and its message.
 */
export function taskRefusedError(
  item: RunwareErrorItem,
  optionNames: Readonly<Record<string, string>> = {},
): RunwarePluginError {
  const ours = item.parameter ? optionNames[item.parameter] : undefined;
  const parameter = item.parameter
    ? ` (parameter ${item.parameter}${ours ? ` = our ${ours}` : ''})`
    : '';
  const param = ours ? (POSITIONAL.has(ours) ? ours : `options.${ours}`) : undefined;
  return new RunwarePluginError(
    'refused',
    `Runware refused the task: ${item.code}${parameter}: ${item.message}`,
    { runware: item, ...(param === undefined ? {} : { param }) },
  );
}

/** Removes every occurrence of the key from a text that may echo it (defence in depth). */
export function redactKey(text: string, apiKey: string | undefined): string {
  if (!apiKey || apiKey.length < 4) return text;
  return text.split(apiKey).join('[redacted]');
}
