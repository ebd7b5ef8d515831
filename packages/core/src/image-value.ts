import type { ImageValue } from '@viwo/protocol';

export { type ImageValue, isImageValue } from '@viwo/protocol';

/** Decoded pixels, row-major, interleaved channels (1 grey, 3 RGB, 4 RGBA), 8 bits each. */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/**
 * Content-addressed image storage as plugins see it.
 *
 * Invariant: the hash is the sha256 of the exact stored PNG bytes, and encoding is deterministic
 * (no timestamps), so equal pixels + equal text chunks give an equal `$image`.
 */
export interface ImageStore {
  /** Encodes pixels as PNG (with optional tEXt chunks such as `parameters`) and stores them. */
  putRaw(image: RawImage, textChunks?: Record<string, string>): Promise<ImageValue>;
  /**
   * Stores a PNG as it is (no re-encode) after checking it decodes within the pixel limit; its
   * text, time and other ancillary chunks are dropped and `textChunks` added, so the stored bytes
   * depend only on the pixels and our chunks. Optional: hosts without it re-encode via `putRaw`.
   */
  putPng?(png: Uint8Array, textChunks?: Record<string, string>): Promise<ImageValue>;
  /** Stores uploaded bytes (PNG/JPEG/WebP): decoded, size-checked, re-encoded as PNG. */
  putEncoded(bytes: Uint8Array): Promise<ImageValue>;
  /** The stored PNG bytes; throws a clear error for an unknown hash. */
  getPng(hash: string): Promise<Uint8Array>;
  /** Decoded pixels of a stored image, as RGBA unless `channels` asks otherwise. */
  getRaw(image: ImageValue, channels?: 3 | 4): Promise<RawImage>;
  /** The tEXt chunks of a stored PNG. */
  getText(hash: string): Promise<Record<string, string>>;
  /** Whether a hash is stored. */
  has(hash: string): Promise<boolean>;
}
