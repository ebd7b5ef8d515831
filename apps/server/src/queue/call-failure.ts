import { coreError } from '@viwo/core';
import { ScriptError } from '@viwo/script';

/** Marks a failure reason written by a viwo worker (anything else came from BullMQ itself). */
const MARK = 'viwo-error:';

/**
 * A worker-side failure as the text BullMQ stores (`failedReason`): the stable code and the
 * message survive the trip, so the client sees what it would in-process.
 */
export function encodeFailure(error: unknown): string {
  const code =
    error instanceof ScriptError
      ? error.code
      : typeof (error as { code?: unknown } | null)?.code === 'string' &&
          /^[A-Z][A-Za-z]{2,40}$/.test((error as { code: string }).code)
        ? (error as { code: string }).code
        : 'PluginError';
  const message = error instanceof Error ? error.message : String(error);
  return `${MARK}${JSON.stringify({ code, message })}`;
}

/** The ScriptError behind a `failedReason`; BullMQ's own reasons (stalled too often) explained. */
export function decodeFailure(reason: string): ScriptError {
  if (typeof reason === 'string' && reason.startsWith(MARK)) {
    try {
      const { code, message } = JSON.parse(reason.slice(MARK.length)) as {
        code: string;
        message: string;
      };
      return new ScriptError(code, message, []);
    } catch {
      // Fall through to the generic wrapping below.
    }
  }
  if (/stalled/i.test(reason)) {
    return coreError(
      'PluginError',
      `the call's workers kept disappearing mid-call (${reason}); it was given up`,
    );
  }
  return coreError('PluginError', `a queue worker failed: ${reason}`);
}
