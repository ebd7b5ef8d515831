import type { CanvasLayer, CanvasState, Surface } from '@viwo/canvas';
import type { ImageValue } from '@viwo/protocol';
import { cropSurface, hasContent, uploadSurface } from './canvas-uploads.ts';

/** One entry of the generation option `regions` (ARCHITECTURE "More workbench contracts"). */
export interface RegionOption {
  mask: ImageValue;
  prompt: string;
  negative_prompt?: string;
  strength: number;
}

/** An opaque black-and-white mask of one layer over a rectangle: white where it is painted. */
export function layerMaskSurface(
  layer: CanvasLayer,
  x: number,
  y: number,
  width: number,
  height: number,
): Surface {
  const crop = cropSurface(layer.surface, x, y, width, height);
  const out = { width, height, data: new Uint8ClampedArray(width * height * 4) };
  for (let index = 0; index < width * height; index++) {
    const alpha = crop.data[index * 4 + 3]!;
    out.data.set([alpha, alpha, alpha, 255], index * 4);
  }
  return out;
}

/**
 * The visible region layers painted inside the rectangle, in stack order: the ones a generation
 * of that rectangle sends as `options.regions`. A region without a prompt steers nothing and is
 * left out.
 */
export function activeRegions(
  state: CanvasState,
  x: number,
  y: number,
  width: number,
  height: number,
): CanvasLayer[] {
  return state.layers.filter(
    (layer) =>
      layer.type === 'region' &&
      layer.visible &&
      (layer.prompt ?? '').trim() !== '' &&
      hasContent(cropSurface(layer.surface, x, y, width, height)),
  );
}

/**
 * Uploads each active region's mask and answers the `regions` option (empty object when there is
 * none, so it spreads into the options unchanged). The layer's opacity is the region's strength,
 * as it is a control layer's strength.
 */
export async function regionOptions(
  state: CanvasState,
  x: number,
  y: number,
  width: number,
  height: number,
): Promise<{ regions?: RegionOption[] }> {
  const layers = activeRegions(state, x, y, width, height);
  if (layers.length === 0) return {};
  const masks = await Promise.all(
    layers.map((layer) => uploadSurface(layerMaskSurface(layer, x, y, width, height))),
  );
  return {
    regions: layers.map((layer, index) => {
      const negative = (layer.negativePrompt ?? '').trim();
      return {
        mask: masks[index]!,
        prompt: layer.prompt ?? '',
        ...(negative === '' ? {} : { negative_prompt: layer.negativePrompt! }),
        strength: layer.opacity,
      };
    }),
  };
}
