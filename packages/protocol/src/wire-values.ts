/**
 * Values that cross the wire as JSON objects with a `$`-prefixed tag (ARCHITECTURE "Values on the
 * wire"). Shape checks only: whether the bytes or the handle exist is the server's business.
 */

/** An image: the sha256 of its PNG bytes plus its size. `GET /images/<sha256>.png` serves it. */
export interface ImageValue {
  $image: string;
  width: number;
  height: number;
}

/** A video: the sha256 of the file, its size, duration in seconds and MIME type. */
export interface VideoValue {
  $video: string;
  width: number;
  height: number;
  duration: number;
  mime: string;
}

/** A capability handle: an opaque id, valid only in the session that holds it. */
export interface CapabilityHandle {
  $cap: string;
  type: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** True when `value` has the image-value shape (a 64-hex hash and numeric size). */
export function isImageValue(value: unknown): value is ImageValue {
  const candidate = record(value);
  return (
    candidate !== undefined &&
    typeof candidate.$image === 'string' &&
    SHA256_HEX.test(candidate.$image) &&
    typeof candidate.width === 'number' &&
    typeof candidate.height === 'number'
  );
}

/** True when `value` has the video-value shape. */
export function isVideoValue(value: unknown): value is VideoValue {
  const candidate = record(value);
  return (
    candidate !== undefined &&
    typeof candidate.$video === 'string' &&
    SHA256_HEX.test(candidate.$video) &&
    typeof candidate.width === 'number' &&
    typeof candidate.height === 'number' &&
    typeof candidate.duration === 'number' &&
    typeof candidate.mime === 'string'
  );
}

/** True when `value` has the handle shape `{$cap: string, type: string}`. */
export function isCapabilityHandle(value: unknown): value is CapabilityHandle {
  const candidate = record(value);
  return (
    candidate !== undefined &&
    typeof candidate.$cap === 'string' &&
    typeof candidate.type === 'string'
  );
}

/** File extensions `GET /images/<sha256>.<ext>` serves. */
export type ImageFormat = 'png' | 'jpg' | 'webp';

/**
 * The URL path of a stored image (`/images/<sha256>.png`), relative to the server's origin.
 * Accepts an image value or a bare hash; throws for anything that is not a sha256 hex hash, so a
 * hostile value can never steer the path.
 */
export function imagePath(image: ImageValue | string, format: ImageFormat = 'png'): string {
  const hash = typeof image === 'string' ? image : image.$image;
  if (!SHA256_HEX.test(hash)) throw new Error(`not an image hash: ${JSON.stringify(hash)}`);
  return `/images/${hash}.${format}`;
}

/** The URL path of a stored video (`/videos/<sha256>.<ext>`), the extension taken from its MIME. */
export function videoPath(video: VideoValue): string {
  if (!SHA256_HEX.test(video.$video)) {
    throw new Error(`not a video hash: ${JSON.stringify(video.$video)}`);
  }
  const subtype = video.mime.split('/')[1]?.split(/[;+]/)[0] ?? '';
  const extension = /^[a-z0-9]{1,10}$/.test(subtype) ? subtype : 'bin';
  return `/videos/${video.$video}.${extension}`;
}
