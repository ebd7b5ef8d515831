import { CapabilityError } from '@viwo/core';
import sharp from 'sharp';
import { messageOf } from './errors.ts';

/** Classical resampling methods, in the order metadata lists them (lanczos is the default). */
export const CLASSICAL_METHODS = ['lanczos', 'bicubic', 'bilinear', 'nearest', 'area'] as const;
export type ClassicalMethod = (typeof CLASSICAL_METHODS)[number];

/** Pixels with 1–4 interleaved 8-bit channels (grey, grey+alpha, RGB, RGBA). */
export interface PixelImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/**
 * sharp kernel for each method. lanczos = Lanczos-3 (a=3), bicubic = Catmull-Rom cubic (sharp's
 * `cubic`), bilinear = triangle (`linear`). `area` has no sharp kernel (sharp's list is nearest,
 * linear, cubic, mitchell, lanczos2, lanczos3, mks2013, mks2021), so it is computed exactly:
 * each output pixel averages the source pixels it covers, weighted by covered area (OpenCV
 * INTER_AREA / Pillow BOX). For integer factors every output pixel lies inside one source pixel,
 * so that is exactly sharp's `nearest`, which we use; other ratios use the exact box filter here.
 */
const SHARP_KERNELS = {
  lanczos: sharp.kernel.lanczos3,
  bicubic: sharp.kernel.cubic,
  bilinear: sharp.kernel.linear,
  nearest: sharp.kernel.nearest,
} as const;

/** Resolves the output size from a factor or explicit width/height (one of them keeps aspect). */
export function targetSize(
  width: number,
  height: number,
  options: { factor?: number; width?: number; height?: number },
): { width: number; height: number } {
  if (options.width !== undefined || options.height !== undefined) {
    const outWidth =
      options.width ?? Math.max(1, Math.round((width * (options.height ?? 0)) / height));
    const outHeight = options.height ?? Math.max(1, Math.round((height * outWidth) / width));
    return { width: outWidth, height: outHeight };
  }
  const factor = options.factor ?? 2;
  return {
    width: Math.max(1, Math.round(width * factor)),
    height: Math.max(1, Math.round(height * factor)),
  };
}

/**
 * Resamples `image` to `width`×`height` with a classical kernel. Alpha is resampled with
 * premultiplied colour (sharp does this for 2- and 4-channel input), so transparent pixels do not
 * bleed their colour into opaque ones.
 */
export async function resampleClassical(
  image: PixelImage,
  width: number,
  height: number,
  method: ClassicalMethod,
): Promise<PixelImage> {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new CapabilityError(
      'InvalidArgument',
      `target size ${width}×${height} must be positive whole pixels`,
    );
  }
  if (method === 'area' && (width % image.width !== 0 || height % image.height !== 0)) {
    return areaResample(image, width, height);
  }
  const kernel = method === 'area' ? sharp.kernel.nearest : SHARP_KERNELS[method];
  try {
    let pipeline = sharp(image.data, {
      raw: { width: image.width, height: image.height, channels: image.channels },
      limitInputPixels: false,
    }).resize(width, height, { kernel, fit: 'fill' });
    // sharp writes grey input back as sRGB unless told to keep it single-channel.
    if (image.channels <= 2) pipeline = pipeline.toColourspace('b-w');
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== image.channels) {
      throw new Error(
        `sharp returned ${info.channels} channels for ${image.channels}-channel input`,
      );
    }
    return {
      data: new Uint8Array(data),
      width: info.width,
      height: info.height,
      channels: image.channels,
    };
  } catch (error) {
    throw new CapabilityError(
      'InvalidArgument',
      `resampling to ${width}×${height} failed: ${messageOf(error)}`,
    );
  }
}

/** Exact area-coverage (box) resampling, separable, with premultiplied alpha. */
function areaResample(image: PixelImage, width: number, height: number): PixelImage {
  const { channels } = image;
  const hasAlpha = channels === 2 || channels === 4;
  const alphaIndex = channels - 1;
  // Premultiply so colour is weighted by coverage × opacity, like sharp's kernels.
  const source = new Float32Array(image.data.length);
  for (let pixel = 0; pixel < image.width * image.height; pixel++) {
    const base = pixel * channels;
    const alpha = hasAlpha ? image.data[base + alphaIndex]! / 255 : 1;
    for (let channel = 0; channel < channels; channel++) {
      const value = image.data[base + channel]!;
      source[base + channel] = hasAlpha && channel !== alphaIndex ? value * alpha : value;
    }
  }
  const horizontal = boxWeights(image.width, width);
  const vertical = boxWeights(image.height, height);
  const rows = new Float32Array(image.height * width * channels);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < width; x++) {
      for (const [sourceX, weight] of horizontal[x]!) {
        for (let channel = 0; channel < channels; channel++) {
          rows[(y * width + x) * channels + channel]! +=
            weight * source[(y * image.width + sourceX) * channels + channel]!;
        }
      }
    }
  }
  const out = new Uint8Array(width * height * channels);
  const pixel = new Float32Array(channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      pixel.fill(0);
      for (const [sourceY, weight] of vertical[y]!) {
        for (let channel = 0; channel < channels; channel++) {
          pixel[channel]! += weight * rows[(sourceY * width + x) * channels + channel]!;
        }
      }
      const alpha = hasAlpha ? pixel[alphaIndex]! / 255 : 1;
      for (let channel = 0; channel < channels; channel++) {
        let value = pixel[channel]!;
        if (hasAlpha && channel !== alphaIndex) value = alpha > 0 ? value / alpha : 0;
        out[(y * width + x) * channels + channel] = Math.min(255, Math.max(0, Math.round(value)));
      }
    }
  }
  return { data: out, width, height, channels };
}

/** For each output index, the source indices it covers and the covered fraction (sums to 1). */
function boxWeights(sourceLength: number, targetLength: number): [number, number][][] {
  const ratio = sourceLength / targetLength;
  const weights: [number, number][][] = [];
  for (let target = 0; target < targetLength; target++) {
    const start = target * ratio;
    const end = start + ratio;
    const entries: [number, number][] = [];
    for (
      let source = Math.floor(start);
      source < Math.min(sourceLength, Math.ceil(end));
      source++
    ) {
      const covered = Math.min(end, source + 1) - Math.max(start, source);
      if (covered > 1e-9) entries.push([source, covered / ratio]);
    }
    weights.push(entries);
  }
  return weights;
}
