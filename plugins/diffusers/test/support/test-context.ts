import { createHash } from 'node:crypto';
import type {
  CapabilityCallContext,
  ImageStore,
  ImageValue,
  ProgressReport,
  RawImage,
} from '@viwo/core';
import sharp from 'sharp';

/**
 * A real (sharp-encoded, sha256-addressed) in-memory image store for plugin tests that run without
 * the core runtime. PNG text chunks are appended as tEXt chunks before IEND.
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
    const bytes = withTextChunks(new Uint8Array(png), textChunks);
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

function withTextChunks(png: Uint8Array, chunks: Record<string, string>): Uint8Array {
  const entries = Object.entries(chunks);
  if (entries.length === 0) return png;
  const iend = png.length - 12;
  const parts: Uint8Array[] = [png.subarray(0, iend)];
  for (const [key, value] of entries) {
    const body = new TextEncoder().encode(`${key}\0${value}`);
    const chunk = new Uint8Array(12 + body.length);
    const view = new DataView(chunk.buffer);
    view.setUint32(0, body.length);
    chunk.set(new TextEncoder().encode('tEXt'), 4);
    chunk.set(body, 8);
    view.setUint32(8 + body.length, crc32(chunk.subarray(4, 8 + body.length)));
    parts.push(chunk);
  }
  parts.push(png.subarray(iend));
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
