import { createHash } from 'node:crypto';
import type {
  CapabilityCallContext,
  ImageStore,
  ImageValue,
  ProgressReport,
  RawImage,
} from '@viwo/core';
import { insertPngText } from '@viwo/protocol';
import sharp from 'sharp';

/**
 * A real (sharp-encoded, sha256-addressed) in-memory image store for plugin tests that run without
 * the core runtime. Text chunks go in with the protocol's codec, as core's store writes them.
 */
export class MemoryImageStore implements ImageStore {
  readonly pngs = new Map<string, Uint8Array>();
  readonly texts = new Map<string, Record<string, string>>();

  async putRaw(image: RawImage, textChunks: Record<string, string> = {}): Promise<ImageValue> {
    const png = await sharp(image.data, {
      raw: { width: image.width, height: image.height, channels: image.channels },
    })
      .png({ compressionLevel: 6 })
      .toBuffer();
    const bytes = insertPngText(new Uint8Array(png), textChunks);
    const hash = createHash('sha256').update(bytes).digest('hex');
    this.pngs.set(hash, bytes);
    this.texts.set(hash, { ...textChunks });
    return { $image: hash, width: image.width, height: image.height };
  }

  async putEncoded(bytes: Uint8Array): Promise<ImageValue> {
    const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    return this.putRaw({
      data: new Uint8Array(data),
      width: info.width,
      height: info.height,
      channels: info.channels as 3,
    });
  }

  async getPng(hash: string): Promise<Uint8Array> {
    const png = this.pngs.get(hash);
    if (!png) throw new Error(`unknown image ${hash}`);
    return png;
  }

  async getRaw(image: ImageValue, channels: 3 | 4 = 4): Promise<RawImage> {
    const png = await this.getPng(image.$image);
    let pipeline = sharp(png);
    pipeline = channels === 4 ? pipeline.ensureAlpha() : pipeline.removeAlpha();
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data), width: info.width, height: info.height, channels };
  }

  async getText(hash: string): Promise<Record<string, string>> {
    return this.texts.get(hash) ?? {};
  }

  async has(hash: string): Promise<boolean> {
    return this.pngs.has(hash);
  }
}

/** A call context recording progress and seeds; `abortAfterSteps` cancels mid-run. */
export function testContext(
  images: ImageStore,
  options: { abortAfterSteps?: number; maxCompute?: number } = {},
) {
  const controller = new AbortController();
  const progress: ProgressReport[] = [];
  const seeds: number[] = [];
  const context: CapabilityCallContext = {
    signal: controller.signal,
    images,
    restrictions: options.maxCompute === undefined ? {} : { maxCompute: options.maxCompute },
    progress(report) {
      progress.push(report);
      if (options.abortAfterSteps !== undefined && progress.length >= options.abortAfterSteps)
        controller.abort();
    },
    log() {},
    async invoke() {
      throw new Error('no other capabilities in this test');
    },
    recordSeed(seed) {
      seeds.push(seed);
    },
  };
  return { context, progress, seeds, controller };
}
