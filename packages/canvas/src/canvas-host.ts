import type { ImageValue } from '@viwo/protocol';

/** Decoded pixels as the canvas stores and loads them: row-major, interleaved, 8 bits each. */
export interface CanvasPixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/**
 * What the canvas opcodes need from the embedder's per-evaluation host (`OpcodeContext.host`):
 * a place for per-evaluation state, an image store, and a finalizer hook for the final composite.
 * Declared here, narrowly, so the canvas never imports the runtime; core's job host satisfies it.
 */
export interface CanvasHost {
  /** Per-evaluation state keyed by opcode family; the canvas keeps its state under `canvas`. */
  readonly attachments: Map<string, unknown>;
  readonly images: {
    putRaw(image: CanvasPixels): Promise<ImageValue>;
    getRaw(image: ImageValue, channels?: 3 | 4): Promise<CanvasPixels>;
  };
  /** Work to run after the script succeeds; an image it returns joins the job's images. */
  addFinalizer(finalizer: () => Promise<ImageValue | undefined>): void;
}
