import type { RunwareErrorItem } from './client/runware-messages.ts';

/**
 * Error codes this plugin raises (core keeps a capitalised `code`, so they reach the caller as
 * -32000 `data.code`): `RunwareError` for Runware refusing a task (its own code, parameter and
 * message are in the text and in `runware`), `RunwareAuth` for a rejected or missing key,
 * `RunwareUnavailable` for connection failures and timeouts, `RunwareBadResponse` for answers we
 * refuse (malformed, oversized, from a host we do not fetch from).
 */
export type RunwareErrorCode =
  | 'RunwareError'
  | 'RunwareAuth'
  | 'RunwareUnavailable'
  | 'RunwareBadResponse';

/** A failure of a Runware call. Its message never contains the API key. */
export class RunwarePluginError extends Error {
  constructor(
    readonly code: RunwareErrorCode,
    message: string,
    /** Runware's own error item, when Runware refused the task. */
    readonly runware?: RunwareErrorItem,
  ) {
    super(message);
    this.name = 'RunwarePluginError';
  }
}

/** The error for a key Runware refused; permanent (no retry). */
export function rejectedKeyError(): RunwarePluginError {
  return new RunwarePluginError(
    'RunwareAuth',
    'Runware rejected the API key: set a valid one with `bun run viwo config set runware.api_key KEY`, RUNWARE_API_KEY, or Settings',
  );
}

/** The error for calls made before any key is configured. */
export function missingKeyError(): RunwarePluginError {
  return new RunwarePluginError(
    'RunwareAuth',
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
  const parameter = item.parameter
    ? ` (parameter ${item.parameter}${optionNames[item.parameter] ? ` = our ${optionNames[item.parameter]}` : ''})`
    : '';
  return new RunwarePluginError(
    'RunwareError',
    `Runware refused the task: ${item.code}${parameter}: ${item.message}`,
    item,
  );
}

/** Removes every occurrence of the key from a text that may echo it (defence in depth). */
export function redactKey(text: string, apiKey: string | undefined): string {
  if (!apiKey || apiKey.length < 4) return text;
  return text.split(apiKey).join('[redacted]');
}
