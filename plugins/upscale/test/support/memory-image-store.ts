import { createHash } from 'node:crypto';
import type { ImageStore, ImageValue, RawImage } from '@viwo/core';
import sharp from 'sharp';

/**
 * A small content-addressed image store for tests: PNG bytes in memory, text chunks kept beside
 * them. Mirrors core's ImageStore contract closely enough for the plugin's methods; `putCorrupt`
 * stores bytes that do not decode, for the bad-input tests.
 */
export class MemoryImageStore implements ImageStore {
  readonly png = new Map<string, Uint8Array>();
  readonly text = new Map<string, Record<string, string>>();

  async putRaw(image: RawImage, textChunks: Record<string, string> = {}): Promise<ImageValue> {
    const png = new Uint8Array(
      await sharp(image.data, {
        raw: { width: image.width, height: image.height, channels: image.channels },
      })
        .png({ compressionLevel: 6, adaptiveFiltering: false })
        .toBuffer(),
    );
    const keyed = new Uint8Array([...png, ...new TextEncoder().encode(JSON.stringify(textChunks))]);
    const hash = createHash('sha256').update(keyed).digest('hex');
    this.png.set(hash, png);
    this.text.set(hash, { ...textChunks });
    return { $image: hash, width: image.width, height: image.height };
  }

  async putEncoded(bytes: Uint8Array): Promise<ImageValue> {
    const { data, info } = await sharp(bytes)
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return this.putRaw({
      data: new Uint8Array(data),
      width: info.width,
      height: info.height,
      channels: 4,
    });
  }

  /** Stores undecodable bytes under a fresh hash and returns an image value claiming a size. */
  putCorrupt(width: number, height: number): ImageValue {
    const bytes = new TextEncoder().encode(`not a png ${width}x${height}`);
    const hash = createHash('sha256').update(bytes).digest('hex');
    this.png.set(hash, bytes);
    return { $image: hash, width, height };
  }

  async getPng(hash: string): Promise<Uint8Array> {
    const png = this.png.get(hash);
    if (!png) throw new Error(`image ${hash} is not stored`);
    return png;
  }

  async getRaw(image: ImageValue, channels: 3 | 4 = 4): Promise<RawImage> {
    const png = await this.getPng(image.$image);
    const pipeline = channels === 4 ? sharp(png).ensureAlpha() : sharp(png).removeAlpha();
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data), width: info.width, height: info.height, channels };
  }

  async getText(hash: string): Promise<Record<string, string>> {
    return this.text.get(hash) ?? {};
  }

  async has(hash: string): Promise<boolean> {
    return this.png.has(hash);
  }
}
