import sharp from 'sharp';
import type { PixelImage } from '../../src/classical.ts';

/** PSNR in dB between two equally sized 8-bit images over their RGB channels (∞ when equal). */
export function psnr(a: PixelImage, b: PixelImage): number {
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`size mismatch: ${a.width}×${a.height} vs ${b.width}×${b.height}`);
  }
  let squared = 0;
  const pixels = a.width * a.height;
  for (let pixel = 0; pixel < pixels; pixel++) {
    for (let channel = 0; channel < 3; channel++) {
      const difference =
        a.data[pixel * a.channels + channel]! - b.data[pixel * b.channels + channel]!;
      squared += difference * difference;
    }
  }
  if (squared === 0) return Number.POSITIVE_INFINITY;
  return 10 * Math.log10((255 * 255) / (squared / (pixels * 3)));
}

/** Decodes a PNG file as RGB pixels. */
export async function readRgb(path: string): Promise<PixelImage> {
  const { data, info } = await sharp(path)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
}
