import {
  exifUserComment,
  insertJpegExif,
  insertWebpExif,
  readPngText,
  viwoXmp,
} from '@viwo/protocol';
import sharp from 'sharp';
import { coreError } from '../errors.ts';
import type { ImageStore } from '../image-value.ts';

/** Formats a stored PNG can be served as. */
export type ExportFormat = 'jpeg' | 'webp';

/** Content types of the export formats. */
export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  jpeg: 'image/jpeg',
  webp: 'image/webp',
};

/** XMP larger than this cannot fit one JPEG APP1 segment (64 KiB less headers). */
const MAX_JPEG_XMP_BYTES = 65_000;

/**
 * A stored image transcoded to JPEG or WebP, carrying its `parameters` text as EXIF UserComment
 * (what A1111 writes for JPEG and WebP) and its `viwo` script in XMP, so a drop of the file
 * restores the workflow as a PNG drop does. JPEG has no alpha: transparent pixels become white.
 * A script too large for a JPEG segment is left out of the JPEG's XMP (the PNG keeps it).
 */
export async function exportImage(
  store: ImageStore,
  hash: string,
  format: ExportFormat,
  quality = 90,
): Promise<Uint8Array> {
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw coreError('InvalidArgument', `quality must be an integer from 1 to 100, got ${quality}`);
  }
  const png = await store.getPng(hash);
  const text = readPngText(png);
  const parameters = text.parameters;
  let xmp = viwoXmp(text.viwo, parameters);
  if (format === 'jpeg' && new TextEncoder().encode(xmp).length > MAX_JPEG_XMP_BYTES) {
    xmp = viwoXmp(undefined, parameters);
  }
  let pipeline = sharp(png);
  pipeline =
    format === 'jpeg'
      ? pipeline.flatten({ background: '#ffffff' }).jpeg({ quality })
      : pipeline.webp({ quality });
  // XMP through libvips; it also puts a WebP in the extended (VP8X) form the EXIF chunk needs.
  pipeline = pipeline.withXmp(xmp);
  let bytes: Uint8Array = new Uint8Array(await pipeline.toBuffer());
  if (parameters !== undefined) {
    const tiff = exifUserComment(parameters);
    bytes = format === 'jpeg' ? insertJpegExif(bytes, tiff) : insertWebpExif(bytes, tiff);
  }
  return bytes;
}
