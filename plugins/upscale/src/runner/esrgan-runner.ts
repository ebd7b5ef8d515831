import * as ort from 'onnxruntime-node';
import { ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from '../converter/keras-to-onnx.ts';
import { throwIfCancelled, UpscaleError } from '../errors.ts';
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
  const blender = new TileBlender(outWidth, outHeight, Math.max(1, plan.overlap * scale));
  for (const [index, tile] of plan.tiles.entries()) {
    throwIfCancelled(options.signal, 'upscale');
    const input = planarTile(image, tile.x, tile.y, tile.width, tile.height);
    const feeds = {
      [ONNX_INPUT_NAME]: new ort.Tensor('float32', input, [1, 3, tile.height, tile.width]),
    };
    const results = await session.run(feeds);
    const output = results[ONNX_OUTPUT_NAME];
    if (!output)
      throw new UpscaleError('ConversionFailed', `model produced no ${ONNX_OUTPUT_NAME} output`);
    const [, channels, height, width] = output.dims as number[];
    if (channels !== 3 || height !== tile.height * scale || width !== tile.width * scale) {
      throw new UpscaleError(
        'ConversionFailed',
        `model output is ${output.dims.join('×')}, expected 1×3×${tile.height * scale}×${tile.width * scale}`,
      );
    }
    blender.add(output.data as Float32Array, tile.x * scale, tile.y * scale, width, height);
    output.dispose();
    options.onTile?.(index + 1, plan.tiles.length);
  }
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
