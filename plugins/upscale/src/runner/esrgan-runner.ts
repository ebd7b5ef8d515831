import { CapabilityError, throwIfCancelled } from '@viwo/core';
import * as ort from 'onnxruntime-node';
import { ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from '../converter/keras-to-onnx.ts';
import { TileBlender, type TilePlan } from './tiling.ts';

/** Interleaved RGB pixels (3 bytes per pixel). */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Options for {@link runEsrganTiled}. */
export interface EsrganRunOptions {
  /** Checked before every tile: cancellation lands between tiles. */
  signal?: AbortSignal;
  /** Called after each tile with (tiles done, total). */
  onTile?: (done: number, total: number) => void;
}

/**
 * Runs a converted ESRGAN graph over `image` tile by tile and blends the tiles' outputs.
 *
 * The graph maps 0–255 NCHW pixels to 0–255 pixels (ranges are baked in by the converter), so a
 * tile is just a planar copy of the input region. A single-tile plan skips the blender's
 * feathering entirely and is bit-identical to an untiled run.
 */
export async function runEsrganTiled(
  session: ort.InferenceSession,
  image: RgbImage,
  scale: number,
  plan: TilePlan,
  options: EsrganRunOptions = {},
): Promise<RgbImage> {
  const outWidth = image.width * scale;
  const outHeight = image.height * scale;
  // Allocated only when there is something to blend (the accumulators are 16 bytes per pixel).
  const blender =
    plan.tiles.length > 1
      ? new TileBlender(outWidth, outHeight, Math.max(1, plan.overlap * scale))
      : undefined;
  for (const [index, tile] of plan.tiles.entries()) {
    throwIfCancelled(options.signal, 'upscale');
    const input = planarTile(image, tile.x, tile.y, tile.width, tile.height);
    const feeds = {
      [ONNX_INPUT_NAME]: new ort.Tensor('float32', input, [1, 3, tile.height, tile.width]),
    };
    const results = await session.run(feeds);
    const output = results[ONNX_OUTPUT_NAME];
    if (!output)
      throw new CapabilityError('ConversionFailed', `model produced no ${ONNX_OUTPUT_NAME} output`);
    const [, channels, height, width] = output.dims as number[];
    if (channels !== 3 || height !== tile.height * scale || width !== tile.width * scale) {
      throw new CapabilityError(
        'ConversionFailed',
        `model output is ${output.dims.join('×')}, expected 1×3×${tile.height * scale}×${tile.width * scale}`,
      );
    }
    if (!blender) {
      // One tile covers the image: no blending, just interleave and round.
      const data = interleaveRounded(output.data as Float32Array, width, height);
      output.dispose();
      options.onTile?.(1, 1);
      return { data, width, height };
    }
    blender.add(output.data as Float32Array, tile.x * scale, tile.y * scale, width, height);
    output.dispose();
    options.onTile?.(index + 1, plan.tiles.length);
  }
  if (!blender) throw new CapabilityError('InvalidArgument', 'the tile plan is empty');
  return { data: blender.finish(), width: outWidth, height: outHeight };
}

/** Copies an RGB region into a planar `[3, height, width]` float tensor buffer. */
export function planarTile(
  image: RgbImage,
  x: number,
  y: number,
  width: number,
  height: number,
): Float32Array {
  const plane = width * height;
  const out = new Float32Array(plane * 3);
  for (let row = 0; row < height; row++) {
    let source = ((y + row) * image.width + x) * 3;
    const target = row * width;
    for (let column = 0; column < width; column++, source += 3) {
      out[target + column] = image.data[source]!;
      out[plane + target + column] = image.data[source + 1]!;
      out[2 * plane + target + column] = image.data[source + 2]!;
    }
  }
  return out;
}

/** Planar `[3, height, width]` floats → interleaved RGB bytes, rounded and clamped. */
function interleaveRounded(planar: Float32Array, width: number, height: number): Uint8Array {
  const plane = width * height;
  const out = new Uint8Array(plane * 3);
  for (let pixel = 0, target = 0; pixel < plane; pixel++, target += 3) {
    // Clamp, then +0.5 and the Uint8Array store's truncation round half up like Math.round.
    out[target] = Math.min(255, Math.max(0, planar[pixel]! + 0.5));
    out[target + 1] = Math.min(255, Math.max(0, planar[plane + pixel]! + 0.5));
    out[target + 2] = Math.min(255, Math.max(0, planar[2 * plane + pixel]! + 0.5));
  }
  return out;
}
