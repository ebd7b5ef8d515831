import type { RawImage } from '@viwo/core';

/** A single-channel float image, values on the 0–255 scale. */
export interface GreyImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** Rec. 601 luma of any raw image. */
export function toGrey(image: RawImage): GreyImage {
  const data = new Float32Array(image.width * image.height);
  for (let pixel = 0; pixel < data.length; pixel++) {
    const base = pixel * image.channels;
    data[pixel] =
      image.channels >= 3
        ? 0.299 * image.data[base]! + 0.587 * image.data[base + 1]! + 0.114 * image.data[base + 2]!
        : image.data[base]!;
  }
  return { width: image.width, height: image.height, data };
}

/** Separable Gaussian blur with edge clamping. */
export function gaussianBlur(image: GreyImage, sigma: number): GreyImage {
  const radius = Math.max(1, Math.ceil(sigma * 3));
  const kernel = Array.from({ length: radius * 2 + 1 }, (_, index) =>
    Math.exp(-((index - radius) ** 2) / (2 * sigma * sigma)),
  );
  const total = kernel.reduce((sum, value) => sum + value, 0);
  const weights = kernel.map((value) => value / total);
  const { width, height } = image;
  const pass = (source: Float32Array, horizontal: boolean): Float32Array => {
    const out = new Float32Array(source.length);
    for (let row = 0; row < height; row++) {
      for (let column = 0; column < width; column++) {
        let sum = 0;
        for (let offset = -radius; offset <= radius; offset++) {
          const sampleRow = horizontal ? row : Math.min(height - 1, Math.max(0, row + offset));
          const sampleColumn = horizontal
            ? Math.min(width - 1, Math.max(0, column + offset))
            : column;
          sum += source[sampleRow * width + sampleColumn]! * weights[offset + radius]!;
        }
        out[row * width + column] = sum;
      }
    }
    return out;
  };
  return { width, height, data: pass(pass(image.data, true), false) };
}

/** A grey image as an RGB raw image (values clamped and rounded). */
export function greyToRaw(image: GreyImage): RawImage {
  const data = new Uint8Array(image.width * image.height * 3);
  for (let pixel = 0; pixel < image.data.length; pixel++) {
    data.fill(Math.min(255, Math.max(0, Math.round(image.data[pixel]!))), pixel * 3, pixel * 3 + 3);
  }
  return { data, width: image.width, height: image.height, channels: 3 };
}
