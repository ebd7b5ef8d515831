import type { CompositeRequest } from './canvas-state.ts';
import { inlineRaster, type RasterBackend } from './raster-backend.ts';
import type { Rgba, StrokeTool, Surface } from './rasterizer.ts';

/** A request to the raster worker; buffers travel transferred. */
export type RasterMessage =
  | {
      op: 'stroke';
      id: number;
      width: number;
      height: number;
      buffer: ArrayBuffer;
      points: [number, number][];
      size: number;
      hardness: number;
      color: Rgba;
      tool: StrokeTool;
    }
  | {
      op: 'draw';
      id: number;
      width: number;
      height: number;
      buffer: ArrayBuffer;
      sourceWidth: number;
      sourceHeight: number;
      source: ArrayBuffer;
      x: number;
      y: number;
    }
  | {
      op: 'composite';
      id: number;
      width: number;
      height: number;
      background: Rgba | null;
      layers: { buffer: ArrayBuffer; opacity: number }[];
    };

/** The worker's answer: the transferred buffers, in the order they were sent (plus the output). */
export interface RasterReply {
  id: number;
  buffers: ArrayBuffer[];
  error?: string;
}

/** Minimal Worker surface used here (Bun and browsers both provide it). */
interface RasterWorker {
  postMessage(message: RasterMessage, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { data: RasterReply }) => void): void;
  addEventListener(type: 'error', listener: (event: { message?: string }) => void): void;
  terminate(): void;
  unref?(): void;
}

/**
 * A buffer the surface owns alone, safe to transfer: a view into a larger or shared buffer (a
 * pooled Node Buffer from the image decoder) is copied first so nothing else is detached.
 */
function ownBuffer(surface: Surface): ArrayBuffer {
  const { data } = surface;
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) {
    return data.buffer as ArrayBuffer;
  }
  const copy = data.slice();
  surface.data = copy;
  return copy.buffer as ArrayBuffer;
}

/**
 * A {@link RasterBackend} on a worker thread, so strokes, image placement and composites never
 * block the server's event loop. `workerUrl` locates `raster-worker.ts` (exported as
 * `@viwo/canvas/raster-worker`; the embedder resolves it). The worker starts on first use and does
 * not keep the process alive; if it cannot start, work falls back to the calling thread.
 */
export function createWorkerRaster(workerUrl: string): RasterBackend & { dispose(): void } {
  let worker: RasterWorker | undefined;
  let failed = false;
  let nextId = 1;
  const pending = new Map<
    number,
    { resolve: (reply: RasterReply) => void; reject: (error: Error) => void }
  >();

  const start = (): RasterWorker | undefined => {
    if (worker || failed) return worker;
    try {
      const WorkerClass = (globalThis as { Worker?: new (url: string) => RasterWorker }).Worker;
      if (!WorkerClass) throw new Error('no Worker');
      const created = new WorkerClass(workerUrl);
      created.unref?.();
      created.addEventListener('message', ({ data }) => {
        const waiter = pending.get(data.id);
        pending.delete(data.id);
        waiter?.resolve(data);
      });
      created.addEventListener('error', (event) => {
        for (const waiter of pending.values())
          waiter.reject(new Error(`raster worker failed: ${event.message ?? 'unknown'}`));
        pending.clear();
        worker = undefined;
      });
      worker = created;
    } catch {
      failed = true;
    }
    return worker;
  };

  /**
   * Sends and waits for the reply; null when the message could not be posted (a buffer the
   * runtime will not transfer) — nothing was moved then, and the caller computes inline.
   */
  const send = (message: RasterMessage, transfer: ArrayBuffer[]): Promise<RasterReply | null> => {
    const target = start()!;
    return new Promise((resolve, reject) => {
      pending.set(message.id, { resolve, reject });
      try {
        target.postMessage(message, transfer);
      } catch {
        pending.delete(message.id);
        resolve(null);
      }
    });
  };

  return {
    async stroke(stroke) {
      if (!start()) return inlineRaster.stroke(stroke);
      const { surface } = stroke;
      const buffer = ownBuffer(surface);
      const reply = await send(
        {
          op: 'stroke',
          id: nextId++,
          width: surface.width,
          height: surface.height,
          buffer,
          points: stroke.points,
          size: stroke.size,
          hardness: stroke.hardness,
          color: stroke.color,
          tool: stroke.tool,
        },
        [buffer],
      );
      if (!reply) return inlineRaster.stroke(stroke);
      surface.data = new Uint8ClampedArray(reply.buffers[0]!);
      failOn(reply);
    },
    async draw(target, source, x, y) {
      if (!start()) return inlineRaster.draw(target, source, x, y);
      const buffer = ownBuffer(target);
      // The source is the decoder's (a native buffer may refuse transfer): always send a copy.
      const sourceBuffer = source.data.slice().buffer as ArrayBuffer;
      const reply = await send(
        {
          op: 'draw',
          id: nextId++,
          width: target.width,
          height: target.height,
          buffer,
          sourceWidth: source.width,
          sourceHeight: source.height,
          source: sourceBuffer,
          x,
          y,
        },
        [buffer, sourceBuffer],
      );
      if (!reply) return inlineRaster.draw(target, source, x, y);
      target.data = new Uint8ClampedArray(reply.buffers[0]!);
      failOn(reply);
    },
    async composite(request: CompositeRequest) {
      if (!start()) return inlineRaster.composite(request);
      // One layer surface may appear once only in a transfer list.
      const buffers = request.layers.map((layer) => ownBuffer(layer.surface));
      const reply = await send(
        {
          op: 'composite',
          id: nextId++,
          width: request.width,
          height: request.height,
          background: request.background,
          layers: request.layers.map((layer, index) => ({
            buffer: buffers[index]!,
            opacity: layer.opacity,
          })),
        },
        buffers,
      );
      if (!reply) return inlineRaster.composite(request);
      request.layers.forEach((layer, index) => {
        layer.surface.data = new Uint8ClampedArray(reply.buffers[index]!);
      });
      failOn(reply);
      return {
        width: request.width,
        height: request.height,
        data: new Uint8ClampedArray(reply.buffers[reply.buffers.length - 1]!),
      };
    },
    dispose() {
      worker?.terminate();
      worker = undefined;
    },
  };
}

/** Throws the worker's error, once the transferred buffers are back with their surfaces. */
function failOn(reply: RasterReply): void {
  if (reply.error) throw new Error(reply.error);
}
