import { Worker } from 'node:worker_threads';
import type { RawImage } from '@viwo/core';
import type { PoseResult } from './pose-preprocessor.ts';

interface Pending {
  resolve(result: PoseResult): void;
  reject(error: Error): void;
}

/**
 * The pose preprocessor as the plugin uses it: MoveNet runs in one worker thread started on
 * first use (loading TF.js costs ~100 ms and is not paid by servers that never ask for pose),
 * so inference never blocks the event loop. Requests are answered in order by id.
 */
export class PoseClient {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  /** The TF.js backend the worker reported (`wasm`, or `cpu` as a fallback); null before use. */
  backend: string | null = null;

  /** Detects a person and draws the OpenPose skeleton (see PosePreprocessor.run). */
  run(image: RawImage, minConfidence: number): Promise<PoseResult> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<PoseResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // A copy goes over: the caller keeps its pixels.
      worker.postMessage({ id, ...image, data: image.data.slice(), minConfidence });
    });
  }

  /** Stops the worker; pending calls fail. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
    this.failAll(new Error('pose preprocessor closed'));
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./pose-worker.ts', import.meta.url));
    worker.unref();
    worker.on(
      'message',
      (message: { id: number; result?: PoseResult; error?: string; backend?: string }) => {
        const pending = this.pending.get(message.id);
        if (!pending) return;
        this.pending.delete(message.id);
        if (message.backend) this.backend = message.backend;
        if (message.result) pending.resolve(message.result);
        else pending.reject(new Error(`pose preprocessor failed: ${message.error}`));
      },
    );
    worker.on('error', (error: Error) => {
      this.worker = undefined;
      this.failAll(new Error(`pose preprocessor crashed: ${error.message}`));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
