import type { ImageStore, ImageValue } from './image-value.ts';

/**
 * The `host` object core passes to every opcode (`OpcodeContext.host`) for one evaluation.
 *
 * Invariant: a fresh host is created per evaluation (per job), so opcode families that keep state
 * across calls (the canvas) key it by `attachments` and never leak it between jobs.
 */
export interface ScriptHost {
  readonly jobId: string;
  readonly images: ImageStore;
  /** Per-evaluation state owned by opcode families, keyed by family name (e.g. `canvas`). */
  readonly attachments: Map<string, unknown>;
  /**
   * Registers work to run after the script finishes successfully; an image it returns is appended
   * to the job's `images` (the canvas registers its final composite this way).
   */
  addFinalizer(finalizer: () => Promise<ImageValue | undefined>): void;
}

/** Narrows an opcode's `context.host` to the core host, with a clear error when run elsewhere. */
export function asScriptHost(host: unknown): ScriptHost {
  if (
    typeof host !== 'object' ||
    host === null ||
    !('attachments' in host) ||
    !('images' in host)
  ) {
    throw new Error('this opcode needs the viwo runtime (no script host in this evaluation)');
  }
  return host as ScriptHost;
}
