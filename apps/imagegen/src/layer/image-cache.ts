import { imageKey, type Surface } from '@viwo/canvas';
import { imagePath, isImageValue } from '@viwo/protocol';
import { authedFetch } from '../auth/auth-token.ts';

/** Decodes a stored PNG into a surface (browser: createImageBitmap + a 2D canvas). */
async function decodeImage(hash: string): Promise<Surface> {
  const response = await authedFetch(imagePath(hash));
  if (!response.ok)
    throw new Error(`image ${hash.slice(0, 12)}… is not on the server (${response.status})`);
  const bitmap = await createImageBitmap(await response.blob());
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(bitmap, 0, 0);
  const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height);
  return { width: bitmap.width, height: bitmap.height, data: pixels.data };
}

/**
 * Pixels for `canvas.layer.load_image` arguments. A literal image value is fetched; a generating
 * expression (e.g. a recorded `textToImage` call) is run on the server once — it is deterministic
 * for its seed — and cached under the expression, so replays and undo never regenerate.
 */
export class ImageCache {
  private readonly surfaces = new Map<string, Surface>();

  constructor(private readonly execute: (script: unknown) => Promise<{ result: unknown }>) {}

  get(image: unknown): Surface | undefined {
    return this.surfaces.get(imageKey(image));
  }

  /**
   * Remembers the pixels of the image value `expression` produced (after a generation); anything
   * that is not an image value is refused with a clear error.
   */
  async remember(expression: unknown, value: unknown): Promise<void> {
    if (!isImageValue(value)) {
      throw new Error(`expected an image from ${JSON.stringify(expression).slice(0, 80)}`);
    }
    const surface = await decodeImage(value.$image);
    this.surfaces.set(imageKey(expression), surface);
    this.surfaces.set(value.$image, surface);
  }

  /** Fetches or computes every missing image; returns how many were added. */
  async resolve(images: unknown[]): Promise<number> {
    let added = 0;
    for (const image of images) {
      if (this.get(image)) continue;
      const value = isImageValue(image) ? image : (await this.execute(image)).result;
      await this.remember(image, value);
      added++;
    }
    return added;
  }
}
