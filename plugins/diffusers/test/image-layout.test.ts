import { expect, test } from 'bun:test';
import fc from 'fast-check';
import {
  imageToPixels,
  latentPreview,
  padSize,
  pixelsToImage,
} from '../src/pipeline/image-layout.ts';

test('property: padding is aligned, minimal, and the crop lies inside it', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 8, max: 4096 }),
      fc.integer({ min: 8, max: 4096 }),
      fc.constantFrom(8, 64),
      (width, height, alignment) => {
        const size = padSize(width, height, alignment);
        expect(size.paddedWidth % alignment).toBe(0);
        expect(size.paddedHeight % alignment).toBe(0);
        expect(size.paddedWidth - width).toBeLessThan(alignment);
        expect(size.paddedHeight - height).toBeLessThan(alignment);
        expect(size.left + width).toBeLessThanOrEqual(size.paddedWidth);
        expect(size.top + height).toBeLessThanOrEqual(size.paddedHeight);
      },
    ),
  );
});

test('property: pixels → padded tensor → cropped pixels is the identity (edge-extended padding)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 40 }),
      fc.integer(),
      async (width, height, salt) => {
        const data = Uint8Array.from(
          { length: width * height * 3 },
          (_, index) => (index * 31 + salt) & 255,
        );
        const size = padSize(width, height, 8);
        const pixels = await imageToPixels({ data, width, height, channels: 3 }, size);
        const back = pixelsToImage(pixels, size);
        expect(back.data).toEqual(data);
        // Padding repeats the edge: the top-left padded pixel equals the image's top-left pixel.
        const plane = size.paddedWidth * size.paddedHeight;
        expect(Math.round((pixels[0]! + 1) * 127.5)).toBe(data[0]!);
        expect(pixels.length).toBe(3 * plane);
      },
    ),
    { numRuns: 25 },
  );
});

test('latent preview has latent resolution and varies with the latents', () => {
  const zeros = latentPreview(new Float32Array(4 * 6 * 5), 6, 5);
  expect([zeros.width, zeros.height, zeros.channels]).toEqual([5, 6, 3]);
  const ones = latentPreview(new Float32Array(4 * 6 * 5).fill(1), 6, 5);
  expect(ones.data).not.toEqual(zeros.data);
});
