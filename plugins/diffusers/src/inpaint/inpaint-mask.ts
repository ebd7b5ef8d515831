import type { RawImage } from '@viwo/core';
import sharp from 'sharp';
import { imageToPixels, type PaddedSize } from '../pipeline/image-layout.ts';

/** A mask at image resolution: `binary` (1 = repaint, thresholded at 0.5) and `soft` (blurred). */
export interface InpaintMask {
  width: number;
  height: number;
  binary: Uint8Array;
  /** Blend weights 0–1 for the final composite; exactly 0 wherever the input is kept. */
  soft: Float32Array;
}

/** Luma of a raw image, 0–255 per pixel. */
function luma(image: RawImage): Uint8Array {
  const out = new Uint8Array(image.width * image.height);
  for (let pixel = 0; pixel < out.length; pixel++) {
    const base = pixel * image.channels;
    out[pixel] =
      image.channels >= 3
        ? Math.round(
            0.299 * image.data[base]! +
              0.587 * image.data[base + 1]! +
              0.114 * image.data[base + 2]!,
          )
        : image.data[base]!;
  }
  return out;
}

/**
 * Builds the mask: white (≥ 50 %) means repaint. `blur` (pixels) softens only the composite
 * weights, never the region the model repaints, so pixels outside the blurred mask stay exact.
 */
export async function buildInpaintMask(mask: RawImage, blur: number): Promise<InpaintMask> {
  const grey = luma(mask);
  const binary = grey.map((value) => (value >= 128 ? 1 : 0));
  let soft = Float32Array.from(binary);
  if (blur > 0) {
    const blurred = await sharp(Buffer.from(binary.map((value) => value * 255)), {
      raw: { width: mask.width, height: mask.height, channels: 1 },
    })
      .blur(Math.max(0.3, blur / 2))
      .raw()
      .toBuffer();
    // Keep the repainted core fully weighted; the blur only feathers outward.
    soft = Float32Array.from(blurred, (value, index) => (binary[index] ? 1 : value / 255));
  }
  return { width: mask.width, height: mask.height, binary, soft };
}

/**
 * The mask at latent resolution for the padded generation size: a latent cell is repainted when
 * any pixel of its 8×8 block is (so the known region never bleeds into the repainted one).
 */
export async function latentMask(mask: InpaintMask, size: PaddedSize): Promise<Float32Array> {
  const asImage: RawImage = {
    data: Uint8Array.from(mask.binary, (value) => value * 255),
    width: mask.width,
    height: mask.height,
    channels: 1,
  };
  const rgb: RawImage = {
    ...asImage,
    data: new Uint8Array(mask.width * mask.height * 3),
    channels: 3,
  };
  for (let pixel = 0; pixel < mask.width * mask.height; pixel++)
    rgb.data.fill(asImage.data[pixel]!, pixel * 3, pixel * 3 + 3);
  const pixels = await imageToPixels(rgb, size);
  const latentWidth = size.paddedWidth / 8;
  const latentHeight = size.paddedHeight / 8;
  const out = new Float32Array(latentWidth * latentHeight);
  for (let row = 0; row < size.paddedHeight; row++) {
    for (let column = 0; column < size.paddedWidth; column++) {
      if (pixels[row * size.paddedWidth + column]! > 0)
        out[Math.floor(row / 8) * latentWidth + Math.floor(column / 8)] = 1;
    }
  }
  return out;
}

/** Final composite: generated pixels where the soft mask is 1, the input exactly where it is 0. */
export function compositeWithMask(
  input: RawImage,
  generated: RawImage,
  mask: InpaintMask,
): RawImage {
  const out = new Uint8Array(input.width * input.height * 3);
  for (let pixel = 0; pixel < mask.soft.length; pixel++) {
    const weight = mask.soft[pixel]!;
    for (let channel = 0; channel < 3; channel++) {
      const kept = input.data[pixel * input.channels + Math.min(channel, input.channels - 1)]!;
      const painted =
        generated.data[pixel * generated.channels + Math.min(channel, generated.channels - 1)]!;
      out[pixel * 3 + channel] =
        weight === 0 ? kept : Math.round(kept * (1 - weight) + painted * weight);
    }
  }
  return { data: out, width: input.width, height: input.height, channels: 3 };
}

/** Outpaint directions. */
export const OUTPAINT_DIRECTIONS = ['left', 'right', 'top', 'bottom'] as const;
export type OutpaintDirection = (typeof OUTPAINT_DIRECTIONS)[number];

/**
 * Extends an image by `pixels` on one side, filling the new border by repeating the edge, and
 * returns it with a mask that is white over the new border only.
 */
export async function extendForOutpaint(
  image: RawImage,
  direction: OutpaintDirection,
  pixels: number,
): Promise<{ image: RawImage; mask: RawImage }> {
  const extension = { left: 0, right: 0, top: 0, bottom: 0, [direction]: pixels };
  const { data, info } = await sharp(Buffer.from(image.data), {
    raw: { width: image.width, height: image.height, channels: image.channels },
  })
    .removeAlpha()
    .extend({ ...extension, extendWith: 'copy' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const extended: RawImage = {
    data: new Uint8Array(data),
    width: info.width,
    height: info.height,
    channels: 3,
  };
  const maskData = new Uint8Array(info.width * info.height * 3);
  for (let row = 0; row < info.height; row++) {
    for (let column = 0; column < info.width; column++) {
      const inNewBorder =
        (direction === 'left' && column < pixels) ||
        (direction === 'right' && column >= image.width) ||
        (direction === 'top' && row < pixels) ||
        (direction === 'bottom' && row >= image.height);
      if (inNewBorder)
        maskData.fill(255, (row * info.width + column) * 3, (row * info.width + column) * 3 + 3);
    }
  }
  return {
    image: extended,
    mask: { data: maskData, width: info.width, height: info.height, channels: 3 },
  };
}
