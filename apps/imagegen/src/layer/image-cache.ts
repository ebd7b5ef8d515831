import { imageKey, type Surface } from '@viwo/canvas';
import { imagePath, isImageValue } from '@viwo/protocol';
import { authedFetch } from '../auth/auth-token.ts';
import type { ImageValue } from '../state/canvas-document.ts';

/** Where recorded results live: the canvas document keeps them with the script. */
export interface ResultBook {
  result(key: string): ImageValue | undefined;
  recordResult(key: string, value: ImageValue): void;
}

async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Fetches a stored PNG, checks its bytes hash to the image value's hash (a recorded result is
 * only trusted when it is exactly the image recorded), and decodes it into a surface.
 */
async function decodeImage(hash: string): Promise<Surface> {
  const response = await authedFetch(imagePath(hash));
  if (!response.ok)
    throw new Error(`image ${hash.slice(0, 12)}… is not on the server (${response.status})`);
  const bytes = await response.arrayBuffer();
  const actual = await sha256Hex(bytes);
  if (actual !== hash)
    throw new Error(`image ${hash.slice(0, 12)}… does not match its hash (got ${actual})`);
  const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(bitmap, 0, 0);
  const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height);
  return { width: bitmap.width, height: bitmap.height, data: pixels.data };
}

/**
 * Pixels for `canvas.layer.load_image` arguments. A literal image value is fetched. A generating
 * expression (a recorded `textToImage` call) is shown from the image the canvas document recorded
 * for it (verified by hash); only when there is none (a workflow from elsewhere) is it run, once,
 * through `execute` (which asks the user first for untrusted scripts). One cache per tab, so
 * mode switches and undo never fetch or run anything twice.
 */
export class ImageCache {
  private readonly surfaces = new Map<string, Surface>();
  private readonly pending = new Map<string, Promise<boolean>>();
  private readonly declined = new Set<string>();

  constructor(
    private readonly execute: (script: unknown) => Promise<{ result: unknown }>,
    private readonly book: ResultBook,
  ) {}

  get(image: unknown): Surface | undefined {
    return this.surfaces.get(imageKey(image));
  }

  /** Expressions the user declined to run (their layers stay empty until {@link retry}). */
  declinedCount(): number {
    return this.declined.size;
  }

  /** Forgets declined runs so the next replay asks again. */
  retry(): void {
    this.declined.clear();
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
    const key = imageKey(expression);
    this.surfaces.set(key, surface);
    this.surfaces.set(value.$image, surface);
    if (!isImageValue(expression)) this.book.recordResult(key, value);
  }

  /** Fetches or computes every missing image; returns how many were added. */
  async resolve(images: unknown[]): Promise<number> {
    let added = 0;
    // Sequential: each untrusted run is confirmed once, and concurrent replays share one attempt.
    for (const image of images) {
      const key = imageKey(image);
      if (this.surfaces.has(key) || this.declined.has(key)) continue;
      let attempt = this.pending.get(key);
      if (!attempt) {
        attempt = this.load(image, key).finally(() => this.pending.delete(key));
        this.pending.set(key, attempt);
      }
      if (await attempt) added++;
    }
    return added;
  }

  private async load(image: unknown, key: string): Promise<boolean> {
    if (isImageValue(image)) {
      await this.remember(image, image);
      return true;
    }
    const recorded = this.book.result(key);
    if (recorded) {
      try {
        await this.remember(image, recorded);
        return true;
      } catch {
        // Gone from this server or altered: fall through and run the expression again.
      }
    }
    let value: unknown;
    try {
      value = (await this.execute(image)).result;
    } catch (error) {
      this.declined.add(key);
      throw error;
    }
    if (!isImageValue(value)) throw new Error('the recorded expression did not produce an image');
    await this.remember(image, value);
    return true;
  }
}
