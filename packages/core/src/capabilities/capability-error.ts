/**
 * Codes a capability method may fail with. They are the script-visible codes core reports, so a
 * plugin's failure reaches the script (and the wire) under the same vocabulary as core's own.
 */
export type CapabilityErrorCode =
  | 'InvalidArgument'
  | 'NotFound'
  | 'Cancelled'
  | 'BudgetExceeded'
  | 'CapabilityDenied'
  | 'Unavailable'
  | 'ConversionFailed'
  | 'PluginError';

/** Where a capability error points: the param (JSON path such as `options.steps`) at fault. */
export interface CapabilityErrorOptions {
  param?: string;
  cause?: unknown;
}

/**
 * The one error type capability methods throw. Core turns it into a ScriptError with the same
 * code and a message naming the method and the param; any other thrown value becomes
 * `PluginError` (never recognised by its shape).
 */
export class CapabilityError extends Error {
  readonly code: CapabilityErrorCode;
  /** JSON path of the argument at fault, e.g. `options.model_id` or `controls[1].image`. */
  readonly param: string | undefined;

  constructor(code: CapabilityErrorCode, message: string, options: CapabilityErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CapabilityError';
    this.code = code;
    this.param = options.param;
  }

  /** Wire shape without host details: `{code, message, param?}`. */
  toJSON(): { code: CapabilityErrorCode; message: string; param?: string } {
    return this.param === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, param: this.param };
  }
}

/** Throws a `Cancelled` CapabilityError when the signal has fired (checked between steps). */
export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new CapabilityError('Cancelled', `${what} was cancelled`);
}
