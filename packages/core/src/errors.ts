import { ScriptError } from '@viwo/script';

/**
 * Error codes core adds to the interpreter's: a bad argument to a capability method, a call the
 * handle does not allow, a compute budget overrun, and a call through a revoked handle.
 */
export type CoreErrorCode =
  | 'InvalidArgument'
  | 'CapabilityDenied'
  | 'BudgetExceeded'
  | 'Revoked'
  | 'Cancelled'
  | 'InvalidScript'
  | 'NotFound'
  | 'PluginError'
  | 'InternalError';

/**
 * Builds the `ScriptError` core throws everywhere, so every failure that leaves the runtime has a
 * stable code and a message, never a host stack trace.
 */
export function coreError(
  code: CoreErrorCode,
  message: string,
  path: readonly (string | number)[] = [],
): ScriptError {
  return new ScriptError(code, message, [...path]);
}

/**
 * Host error text made safe to show a client: absolute filesystem paths (which reveal the data
 * dir, the home directory, the install location) become `<path>`, and the text is cut to a
 * readable length. URLs are left alone (`http://host/a` has no path start after a space).
 */
export function redactHostText(text: string): string {
  const redacted = text.replace(/(^|[\s'"(=,;[])(\/[\w.@+~-]+)+\/?/g, '$1<path>');
  return redacted.length > 2000 ? `${redacted.slice(0, 2000)}…` : redacted;
}

/** True when `error` is an abort raised by an AbortSignal (cancel or revoke). */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}
