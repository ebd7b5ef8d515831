import type { CanvasState, Surface } from '@viwo/canvas';
import type { ImageValue } from '@viwo/protocol';
import { authedFetch } from '../auth/auth-token.ts';

/** Copies a rectangle out of a surface (clipped to it). */
export function cropSurface(
  surface: Surface,
  x: number,
  y: number,
  width: number,
  height: number,
): Surface {
  const out = { width, height, data: new Uint8ClampedArray(width * height * 4) };
  for (let row = 0; row < height; row++) {
    const sourceRow = row + y;
    if (sourceRow < 0 || sourceRow >= surface.height) continue;
    for (let column = 0; column < width; column++) {
      const sourceColumn = column + x;
      if (sourceColumn < 0 || sourceColumn >= surface.width) continue;
      const from = (sourceRow * surface.width + sourceColumn) * 4;
      out.data.set(surface.data.subarray(from, from + 4), (row * width + column) * 4);
    }
  }
  return out;
}

/** White where any mask layer is painted, black elsewhere, over the given rectangle. */
export function maskSurface(
  state: CanvasState,
  x: number,
  y: number,
  width: number,
  height: number,
): Surface {
  const out = { width, height, data: new Uint8ClampedArray(width * height * 4) };
  for (let index = 0; index < width * height; index++) out.data[index * 4 + 3] = 255;
  for (const layer of state.layers) {
    if (layer.type !== 'mask' || !layer.visible) continue;
    const crop = cropSurface(layer.surface, x, y, width, height);
    for (let index = 0; index < width * height; index++) {
      const alpha = crop.data[index * 4 + 3]!;
      for (let channel = 0; channel < 3; channel++) {
        out.data[index * 4 + channel] = Math.max(out.data[index * 4 + channel]!, alpha);
      }
    }
  }
  return out;
}

/** True when any pixel of the surface is painted (alpha > 0). */
export function hasContent(surface: Surface): boolean {
  for (let offset = 3; offset < surface.data.length; offset += 4)
    if (surface.data[offset]! > 0) return true;
  return false;
}

/** Encodes a surface as PNG in the browser and stores it on the server (`POST /images`). */
export async function uploadSurface(surface: Surface): Promise<ImageValue> {
  const canvas = document.createElement('canvas');
  canvas.width = surface.width;
  canvas.height = surface.height;
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(surface.width, surface.height);
  image.data.set(surface.data);
  context.putImageData(image, 0, 0);
  const blob = await new Promise<Blob>((resolve, reject) =>
    canvas.toBlob(
      (result) => (result ? resolve(result) : reject(new Error('PNG encode failed'))),
      'image/png',
    ),
  );
  const response = await authedFetch('/images', { method: 'POST', body: blob });
  const body = (await response.json()) as ImageValue & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `upload failed (${response.status})`);
  return body;
}
