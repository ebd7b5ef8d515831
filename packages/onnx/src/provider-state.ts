/**
 * Process-wide memory of provider fallbacks, kept apart from the probe and the session factory
 * so both can use it without importing each other.
 */
let fallbackReason: string | undefined;

/** Notes that a session asked for a GPU provider but runs on CPU (why, in onnxruntime's words). */
export function noteFallback(reason: string): void {
  fallbackReason = reason;
}

/** The latest fallback's reason, or undefined when every session got what it asked for. */
export function lastFallback(): string | undefined {
  return fallbackReason;
}
