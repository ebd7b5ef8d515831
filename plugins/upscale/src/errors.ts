/**
 * Error codes this plugin raises. They match core's codes (`InvalidArgument`, `NotFound`,
 * `Cancelled`) so the runtime can report them to scripts unchanged.
 */
export type UpscaleErrorCode = 'InvalidArgument' | 'NotFound' | 'Cancelled' | 'ConversionFailed';

/**
 * A failure with a stable code and a message naming what was wrong and where; never a host stack
 * trace on the wire (`toJSON` carries code and message only).
 */
export class UpscaleError extends Error {
  readonly code: UpscaleErrorCode;
  readonly path: (string | number)[];

  constructor(code: UpscaleErrorCode, message: string, path: (string | number)[] = []) {
    super(message);
    this.name = 'UpscaleError';
    this.code = code;
    this.path = path;
  }

  /** Wire shape shared with script errors: `{code, message, path}`. */
  toJSON(): { code: UpscaleErrorCode; message: string; path: (string | number)[] } {
    return { code: this.code, message: this.message, path: this.path };
  }
}

/** Throws a `Cancelled` error when the signal is aborted (checked between tiles). */
export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new UpscaleError('Cancelled', `${what} was cancelled`);
}

/** The message of any thrown value, for wrapping low-level errors into clear ones. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
