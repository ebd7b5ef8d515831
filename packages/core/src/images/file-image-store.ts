import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { insertPngText, type PngChunk, readPngText } from '@viwo/protocol';
import sharp from 'sharp';
import { coreError } from '../errors.ts';
import type { ImageStore, ImageValue, RawImage } from '../image-value.ts';
import { readImageHeader } from './image-header.ts';
import { readPngChunksNative, writePngWithText } from './png-chunks-native.ts';

/**
 * PNG settings of every stored image. zlib level 1 with fixed filtering encodes ~4× faster than
 * level 6 (measured: 512² in ~4 ms instead of ~17 ms) for ~2× the bytes, and like every fixed
 * zlib setting it is deterministic: the same pixels always give the same bytes and hash. The
 * encode runs in libvips on the libuv thread pool, never on the event loop, whatever its size.
 */
const STORED_PNG = { compressionLevel: 1, adaptiveFiltering: false } as const;

/** Default upper bound on decoded pixels (4096×4096). */
export const DEFAULT_MAX_IMAGE_PIXELS = 4096 * 4096;

/**
 * Longest side accepted. Extreme aspect ratios within the pixel bound (1×16,777,216) cost the
 * decoder seconds per row-set; no workflow needs a side longer than this.
 */
export const MAX_IMAGE_SIDE = 8192;

const HASH_PATTERN = /^[0-9a-f]{64}$/;
const UPLOAD_FORMATS = new Set(['png', 'jpeg', 'webp']);
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The content-addressed image store: `${dataDir}/images/ab/<sha256>.png`.
 *
 * Invariants: a file's name is the sha256 of its bytes; files appear atomically (temp + rename),
 * so a reader never sees a half-written image; encoding strips metadata, so equal pixels and
 * equal text chunks always give the same hash.
 */
export class FileImageStore implements ImageStore {
  readonly root: string;
  readonly maxPixels: number;

  constructor(dataDir: string, options: { maxPixels?: number } = {}) {
    this.root = join(dataDir, 'images');
    this.maxPixels = options.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  }

  /** Path of a stored image's file (whether or not it exists). */
  pathOf(hash: string): string {
    assertHash(hash);
    return join(this.root, hash.slice(0, 2), `${hash}.png`);
  }

  async putRaw(image: RawImage, textChunks: Record<string, string> = {}): Promise<ImageValue> {
    const { width, height, channels, data } = image;
    this.checkSize(width, height, 'raw image');
    if (![1, 2, 3, 4].includes(channels)) {
      throw coreError('InvalidArgument', `raw image channels must be 1 to 4, got ${channels}`);
    }
    if (data.length !== width * height * channels) {
      throw coreError(
        'InvalidArgument',
        `raw image data has ${data.length} bytes, expected ${width}×${height}×${channels} = ${width * height * channels}`,
      );
    }
    const png = await sharp(data, { raw: { width, height, channels } }).png(STORED_PNG).toBuffer();
    return this.storePng(new Uint8Array(png), width, height, textChunks);
  }

  async putPng(png: Uint8Array, textChunks: Record<string, string> = {}): Promise<ImageValue> {
    let chunks: PngChunk[];
    try {
      chunks = readPngChunksNative(png);
    } catch (error) {
      throw coreError('InvalidArgument', `not a valid PNG: ${messageOf(error)}`);
    }
    const header = chunks[0];
    if (header?.type !== 'IHDR' || header.data.length !== 13) {
      throw coreError('InvalidArgument', 'not a valid PNG: it does not start with an IHDR chunk');
    }
    const view = new DataView(header.data.buffer, header.data.byteOffset, 13);
    const width = view.getUint32(0);
    const height = view.getUint32(4);
    this.checkSize(width, height, 'PNG');
    // Only what draws the pixels is kept: foreign text, times and unknown chunks would make the
    // bytes (and so the hash) depend on where the file came from.
    const kept = chunks.filter((chunk) => PIXEL_CHUNKS.has(chunk.type));
    try {
      // A full decode: a truncated or corrupt image stream is refused here, never stored.
      await sharp(png, { limitInputPixels: this.maxPixels, failOn: 'error' }).raw().toBuffer();
    } catch (error) {
      throw coreError('InvalidArgument', `the PNG does not decode: ${messageOf(error)}`);
    }
    let final: Uint8Array;
    try {
      final = writePngWithText(kept, textChunks);
    } catch (error) {
      throw coreError('InvalidArgument', messageOf(error));
    }
    return this.writeVerbatim(final, width, height);
  }

  async putEncoded(bytes: Uint8Array): Promise<ImageValue> {
    if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
      throw coreError('InvalidArgument', 'image upload is empty');
    }
    // Format and size come from the header first: an SVG (or anything else) never reaches
    // librsvg/libvips, and an oversized or extreme-aspect image is refused before decoding.
    const header = readImageHeader(bytes);
    if (!header) {
      const other = otherFormat(bytes);
      throw coreError(
        'InvalidArgument',
        other
          ? `image upload format ${other} is not accepted (PNG, JPEG or WebP)`
          : 'image upload is not a readable image: no PNG, JPEG or WebP header (SVG and other formats are not accepted)',
      );
    }
    this.checkSize(header.width, header.height, 'uploaded image');
    let format: string | undefined;
    let width = 0;
    let height = 0;
    try {
      const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
      format = meta.format;
      width = meta.autoOrient?.width ?? meta.width ?? 0;
      height = meta.autoOrient?.height ?? meta.height ?? 0;
    } catch (error) {
      throw coreError(
        'InvalidArgument',
        `image upload is not a readable image: ${messageOf(error)}`,
      );
    }
    if (!format || !UPLOAD_FORMATS.has(format)) {
      throw coreError(
        'InvalidArgument',
        `image upload format ${format ?? 'unknown'} is not accepted (PNG, JPEG or WebP)`,
      );
    }
    this.checkSize(width, height, 'uploaded image');
    let png: Buffer;
    try {
      // rotate() applies EXIF orientation so the stored pixels look as the uploader saw them.
      png = await sharp(bytes, { limitInputPixels: this.maxPixels, failOn: 'error' })
        .rotate()
        .png(STORED_PNG)
        .toBuffer();
    } catch (error) {
      throw coreError('InvalidArgument', `image upload could not be decoded: ${messageOf(error)}`);
    }
    return this.storePng(new Uint8Array(png), width, height, {});
  }

  /**
   * Stores PNG bytes exactly as given (text chunks included) after checking that they decode
   * within the size limit, so an image encoded elsewhere (a queue worker) keeps its hash here.
   */
  async putPngVerbatim(bytes: Uint8Array): Promise<ImageValue> {
    if (!(bytes instanceof Uint8Array) || bytes.length < PNG_SIGNATURE.length) {
      throw coreError('InvalidArgument', 'PNG upload is empty or truncated');
    }
    if (!PNG_SIGNATURE.every((byte, index) => bytes[index] === byte)) {
      throw coreError('InvalidArgument', 'verbatim uploads must be PNG files');
    }
    // Size from the header before decoding, as for client uploads.
    const header = readImageHeader(bytes);
    if (!header)
      throw coreError('InvalidArgument', 'PNG upload could not be decoded: no IHDR header');
    this.checkSize(header.width, header.height, 'uploaded image');
    let info: { width: number; height: number };
    try {
      ({ info } = await sharp(bytes, { limitInputPixels: this.maxPixels, failOn: 'error' })
        .raw()
        .toBuffer({ resolveWithObject: true }));
    } catch (error) {
      throw coreError('InvalidArgument', `PNG upload could not be decoded: ${messageOf(error)}`);
    }
    this.checkSize(info.width, info.height, 'uploaded image');
    return this.writeVerbatim(bytes, info.width, info.height);
  }

  async getPng(hash: string): Promise<Uint8Array> {
    assertHash(hash);
    try {
      return new Uint8Array(await readFile(this.pathOf(hash)));
    } catch {
      throw coreError('NotFound', `image ${hash} is not in the image store`);
    }
  }

  async getRaw(image: ImageValue, channels: 3 | 4 = 4): Promise<RawImage> {
    const png = await this.getPng(image.$image);
    const pipeline = sharp(png);
    const shaped = channels === 4 ? pipeline.ensureAlpha() : pipeline.removeAlpha();
    const { data, info } = await shaped.toColourspace('srgb').raw().toBuffer({
      resolveWithObject: true,
    });
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      channels,
    };
  }

  async getText(hash: string): Promise<Record<string, string>> {
    return readPngText(await this.getPng(hash));
  }

  async has(hash: string): Promise<boolean> {
    if (!HASH_PATTERN.test(hash)) return false;
    try {
      return (await stat(this.pathOf(hash))).isFile();
    } catch {
      return false;
    }
  }

  /** Every stored hash (for garbage collection). */
  async list(): Promise<string[]> {
    const hashes: string[] = [];
    let prefixes: string[];
    try {
      prefixes = await readdir(this.root);
    } catch {
      return hashes;
    }
    for (const prefix of prefixes) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      for (const name of await readdir(join(this.root, prefix))) {
        const hash = name.endsWith('.png') ? name.slice(0, -4) : '';
        if (HASH_PATTERN.test(hash)) hashes.push(hash);
      }
    }
    return hashes;
  }

  /** When a stored image was written (ms since the epoch); 0 if it is missing. */
  async modifiedAt(hash: string): Promise<number> {
    try {
      return (await stat(this.pathOf(hash))).mtimeMs;
    } catch {
      return 0;
    }
  }

  /** Removes a stored image; removing a missing one is not an error. */
  async delete(hash: string): Promise<void> {
    await rm(this.pathOf(hash), { force: true });
  }

  /**
   * Whether the store can be written now (`GET /health` reports it): creates and removes a small
   * probe file. The error is an errno code, never a path.
   */
  async storageHealth(): Promise<{ status: 'ok' | 'error'; error?: string }> {
    const probe = join(this.root, `.health-${randomBytes(6).toString('hex')}.tmp`);
    try {
      await mkdir(this.root, { recursive: true });
      await writeFile(probe, 'ok');
      await rm(probe, { force: true });
      return { status: 'ok' };
    } catch (error) {
      await rm(probe, { force: true }).catch(() => {});
      return { status: 'error', error: `the image store cannot be written (${ioCode(error)})` };
    }
  }

  private checkSize(width: number, height: number, what: string): void {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw coreError('InvalidArgument', `${what} must be at least 1×1, got ${width}×${height}`);
    }
    if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
      throw coreError(
        'InvalidArgument',
        `${what} is ${width}×${height}; each side may be at most ${MAX_IMAGE_SIDE} pixels`,
      );
    }
    if (width * height > this.maxPixels) {
      throw coreError(
        'InvalidArgument',
        `${what} is ${width}×${height} = ${width * height} pixels, over the limit of ${this.maxPixels}`,
      );
    }
  }

  private async storePng(
    encoded: Uint8Array,
    width: number,
    height: number,
    textChunks: Record<string, string>,
  ): Promise<ImageValue> {
    return this.writeVerbatim(insertPngText(encoded, textChunks), width, height);
  }

  private async writeVerbatim(png: Uint8Array, width: number, height: number): Promise<ImageValue> {
    const hash = createHash('sha256').update(png).digest('hex');
    const target = this.pathOf(hash);
    if (await this.has(hash)) {
      // Re-stored content counts as fresh: `gc`'s grace period must protect an old unreferenced
      // file that a running job has just produced again.
      const now = new Date();
      await utimes(target, now, now).catch(() => {});
    } else {
      const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await mkdir(join(this.root, hash.slice(0, 2)), { recursive: true });
        await writeFile(temporary, png);
        await rename(temporary, target);
      } catch (error) {
        // A failed write (disk full, permissions) leaves no partial temp file behind.
        await rm(temporary, { force: true }).catch(() => {});
        throw coreError(
          'InternalError',
          `the image store could not write an image (${ioCode(error)})`,
        );
      }
    }
    return { $image: hash, width, height };
  }
}

/** Chunks that affect how a PNG's pixels look; everything else is dropped by `putPng`. */
const PIXEL_CHUNKS = new Set([
  'IHDR',
  'PLTE',
  'IDAT',
  'IEND',
  'tRNS',
  'gAMA',
  'cHRM',
  'sRGB',
  'iCCP',
  'sBIT',
]);

function assertHash(hash: string): void {
  if (typeof hash !== 'string' || !HASH_PATTERN.test(hash)) {
    throw coreError('InvalidArgument', `"${String(hash).slice(0, 80)}" is not an image hash`);
  }
}

/** Names a few formats we refuse, from their magic bytes, for a clearer error. */
function otherFormat(bytes: Uint8Array): string | undefined {
  const head = String.fromCharCode(...bytes.subarray(0, 256));
  if (head.startsWith('GIF8')) return 'gif';
  if (head.startsWith('II*\u0000') || head.startsWith('MM\u0000*')) return 'tiff';
  if (head.startsWith('BM')) return 'bmp';
  if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<(!doctype\s+)?svg/i.test(head)) return 'svg';
  return undefined;
}

/** The errno code of a filesystem error, never its message (which names absolute paths). */
function ioCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'I/O error';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
