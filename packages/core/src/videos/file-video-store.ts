import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VideoValue } from '@viwo/protocol';
import { coreError } from '../errors.ts';

/** Video containers the store accepts, with the file extension each is served under. */
export const VIDEO_TYPES = {
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'video/quicktime': 'mov',
} as const;

/** A MIME type the store accepts. */
export type VideoMime = keyof typeof VIDEO_TYPES;

/**
 * The container a file really is, from its magic bytes: ISO-BMFF (`ftyp` box; brand `qt  ` is
 * QuickTime) or Matroska/WebM (EBML header). Null for anything else, so a provider cannot make us
 * store and serve arbitrary bytes under a video content type.
 */
export function sniffVideoMime(bytes: Uint8Array): VideoMime | null {
  if (bytes.length >= 12 && ascii(bytes, 4, 8) === 'ftyp') {
    return ascii(bytes, 8, 12) === 'qt  ' ? 'video/quicktime' : 'video/mp4';
  }
  if (
    bytes.length >= 4 &&
    bytes[0] === 0x1a &&
    bytes[1] === 0x45 &&
    bytes[2] === 0xdf &&
    bytes[3] === 0xa3
  ) {
    return 'video/webm';
  }
  return null;
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

/**
 * Content-addressed video files beside the image store (`<dataDir>/videos/<aa>/<sha256>.<ext>`).
 *
 * Invariant: a stored file's name is the sha256 of its bytes and its extension matches its sniffed
 * container, so `GET /videos/<sha256>.<ext>` can serve it with the right content type.
 */
export class FileVideoStore {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'videos');
  }

  /** Stores video bytes (MP4, WebM or QuickTime by their magic bytes) and returns the value. */
  async put(
    bytes: Uint8Array,
    info: { width: number; height: number; duration: number },
  ): Promise<VideoValue> {
    const mime = sniffVideoMime(bytes);
    if (!mime) {
      throw coreError('InvalidArgument', 'not a video: expected MP4, WebM or QuickTime bytes');
    }
    const hash = createHash('sha256').update(bytes).digest('hex');
    const path = this.pathOf(hash, mime);
    await mkdir(join(this.root, hash.slice(0, 2)), { recursive: true });
    // Written under a temporary name and renamed, so a reader never sees a partial file.
    const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temporary, bytes);
    await rename(temporary, path);
    return { $video: hash, width: info.width, height: info.height, duration: info.duration, mime };
  }

  /** The stored bytes and type of a video, or null when it is not stored under that extension. */
  async get(hash: string, ext: string): Promise<{ bytes: Uint8Array; mime: VideoMime } | null> {
    const mime = mimeOfExtension(ext);
    if (!mime || !/^[0-9a-f]{64}$/.test(hash)) return null;
    try {
      return { bytes: new Uint8Array(await readFile(this.pathOf(hash, mime))), mime };
    } catch {
      return null;
    }
  }

  /** Whether a video is stored under that type. */
  async has(hash: string, mime: VideoMime): Promise<boolean> {
    try {
      return (await stat(this.pathOf(hash, mime))).isFile();
    } catch {
      return false;
    }
  }

  private pathOf(hash: string, mime: VideoMime): string {
    return join(this.root, hash.slice(0, 2), `${hash}.${VIDEO_TYPES[mime]}`);
  }
}

/** The MIME type a served extension stands for (`mp4`, `webm`, `mov`). */
export function mimeOfExtension(ext: string): VideoMime | null {
  for (const [mime, extension] of Object.entries(VIDEO_TYPES)) {
    if (extension === ext) return mime as VideoMime;
  }
  return null;
}
