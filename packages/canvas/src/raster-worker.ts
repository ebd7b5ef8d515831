/**
 * The rasteriser's worker thread (Web Worker API, as Bun and browsers provide it). Each message
 * carries the surfaces' buffers transferred (not copied); the answer transfers them back.
 */
import { compositeSurfaces, drawSurface, rasterizeStroke, type Surface } from './rasterizer.ts';
import type { RasterMessage, RasterReply } from './worker-raster.ts';

declare const self: {
  onmessage: ((event: { data: RasterMessage }) => void) | null;
  postMessage(message: RasterReply, transfer: ArrayBuffer[]): void;
};

function surface(width: number, height: number, buffer: ArrayBuffer): Surface {
  return { width, height, data: new Uint8ClampedArray(buffer) };
}

self.onmessage = ({ data: message }) => {
  try {
    if (message.op === 'stroke') {
      const target = surface(message.width, message.height, message.buffer);
      rasterizeStroke(
        target,
        message.points,
        message.size,
        message.hardness,
        message.color,
        message.tool,
      );
      self.postMessage({ id: message.id, buffers: [message.buffer] }, [message.buffer]);
    } else if (message.op === 'draw') {
      const target = surface(message.width, message.height, message.buffer);
      const source = surface(message.sourceWidth, message.sourceHeight, message.source);
      drawSurface(target, source, message.x, message.y);
      self.postMessage({ id: message.id, buffers: [message.buffer, message.source] }, [
        message.buffer,
        message.source,
      ]);
    } else {
      const layers = message.layers.map((layer) => ({
        surface: surface(message.width, message.height, layer.buffer),
        opacity: layer.opacity,
      }));
      const out = compositeSurfaces(message.width, message.height, message.background, layers);
      const buffers = [
        ...message.layers.map((layer) => layer.buffer),
        out.data.buffer as ArrayBuffer,
      ];
      self.postMessage({ id: message.id, buffers }, buffers);
    }
  } catch (error) {
    const buffers = transferable(message);
    self.postMessage({ id: message.id, buffers, error: String(error) }, buffers);
  }
};

function transferable(message: RasterMessage): ArrayBuffer[] {
  if (message.op === 'stroke') return [message.buffer];
  if (message.op === 'draw') return [message.buffer, message.source];
  return message.layers.map((layer) => layer.buffer);
}
