import type { RawImage } from '@viwo/core';
import sharp from 'sharp';

/** A requested size padded up to the model's alignment, with the crop that restores it. */
export interface PaddedSize {
  width: number;
  height: number;
  paddedWidth: number;
  paddedHeight: number;
  /** Offsets of the requested area inside the padded one (padding is split evenly). */
  left: number;
  top: number;
}

/** Pads `width × height` up to multiples of `alignment` (at least 8, the VAE factor). */
export function padSize(width: number, height: number, alignment: number): PaddedSize {
  const step = Math.max(8, alignment);
  const paddedWidth = Math.ceil(width / step) * step;
  const paddedHeight = Math.ceil(height / step) * step;
  return {
    width,
    height,
    paddedWidth,
    paddedHeight,
    left: Math.floor((paddedWidth - width) / 2),
    top: Math.floor((paddedHeight - height) / 2),
  };
}

/**
 * Resizes an input image to the requested size, pads it to the padded size by repeating edge
 * pixels (no hard border for the VAE to encode), and returns CHW floats in [−1, 1].
 */
export async function imageToPixels(image: RawImage, size: PaddedSize): Promise<Float32Array> {
  const resized = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: image.channels },
  })
    .removeAlpha()
    .toColourspace('srgb')
    .resize(size.width, size.height, { fit: 'fill' })
    .extend({
      left: size.left,
      top: size.top,
      right: size.paddedWidth - size.width - size.left,
      bottom: size.paddedHeight - size.height - size.top,
      extendWith: 'copy',
    })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { data, info } = resized;
  if (info.width !== size.paddedWidth || info.height !== size.paddedHeight || info.channels !== 3) {
    throw new Error(`input image conversion gave ${info.width}×${info.height}×${info.channels}`);
  }
  const plane = info.width * info.height;
  const out = new Float32Array(3 * plane);
  for (let pixel = 0; pixel < plane; pixel++) {
    for (let channel = 0; channel < 3; channel++) {
      out[channel * plane + pixel] = data[pixel * 3 + channel]! / 127.5 - 1;
    }
  }
  return out;
}

/** CHW floats in [−1, 1] of the padded size → RGB bytes of the requested (cropped) area. */
export function pixelsToImage(pixels: Float32Array, size: PaddedSize): RawImage {
  const plane = size.paddedWidth * size.paddedHeight;
  const data = new Uint8Array(size.width * size.height * 3);
  for (let y = 0; y < size.height; y++) {
    for (let x = 0; x < size.width; x++) {
      const source = (y + size.top) * size.paddedWidth + (x + size.left);
      const target = (y * size.width + x) * 3;
      for (let channel = 0; channel < 3; channel++) {
        const value = (pixels[channel * plane + source]! + 1) * 127.5;
        data[target + channel] = Math.min(255, Math.max(0, Math.round(value)));
      }
    }
  }
  return { data, width: size.width, height: size.height, channels: 3 };
}

/**
 * Approximate latent → RGB factors for SD-family VAEs (a linear fit widely used for live
 * previews); rows are latent channels, columns R, G, B.
 */
const LATENT_RGB = [
  [0.298, 0.207, 0.208],
  [0.187, 0.286, 0.173],
  [-0.158, 0.189, 0.264],
  [-0.184, -0.271, -0.473],
];

/** A cheap preview: the latents projected linearly to RGB at latent resolution. */
export function latentPreview(latents: Float32Array, height: number, width: number): RawImage {
  const plane = height * width;
  const data = new Uint8Array(plane * 3);
  for (let pixel = 0; pixel < plane; pixel++) {
    for (let channel = 0; channel < 3; channel++) {
      let value = 0;
      for (let latent = 0; latent < 4; latent++)
        value += latents[latent * plane + pixel]! * LATENT_RGB[latent]![channel]!;
      data[pixel * 3 + channel] = Math.min(255, Math.max(0, Math.round((value + 1) * 127.5)));
    }
  }
  return { data, width, height, channels: 3 };
}
