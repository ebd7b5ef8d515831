import { EXPORT_CONTENT_TYPES, type ExportFormat, exportImage, type Runtime } from '@viwo/core';

/** `/images/<sha256>.jpg|.jpeg|.webp`: a stored image transcoded with its metadata. */
const EXPORT_PATH = /^\/images\/([0-9a-f]{64})\.(jpg|jpeg|webp)$/;

/** Whether a path asks for a transcoded image (the route below answers it). */
export function isImageExportPath(pathname: string): boolean {
  return EXPORT_PATH.test(pathname);
}

/**
 * Serves a stored image as JPEG or WebP (`?quality=1..100`, default 90) carrying the A1111
 * `parameters` text in EXIF UserComment and the `viwo` script in XMP. The bytes depend only on
 * the stored PNG and the quality, so the response is cacheable like the PNG.
 */
export async function serveImageExport(runtime: Runtime, url: URL): Promise<Response> {
  const match = EXPORT_PATH.exec(url.pathname);
  if (!match) return Response.json({ error: 'not an image export path' }, { status: 400 });
  const hash = match[1]!;
  const format: ExportFormat = match[2] === 'webp' ? 'webp' : 'jpeg';
  const qualityText = url.searchParams.get('quality');
  const quality = qualityText === null ? 90 : Number(qualityText);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    return Response.json({ error: 'quality must be an integer from 1 to 100' }, { status: 400 });
  }
  if (!(await runtime.images.has(hash))) {
    return Response.json({ error: `no image ${hash}` }, { status: 404 });
  }
  const bytes = await exportImage(runtime.images, hash, format, quality);
  return new Response(Buffer.from(bytes), {
    headers: {
      'content-type': EXPORT_CONTENT_TYPES[format],
      'cache-control': 'public, max-age=31536000, immutable',
      etag: `"${hash}-${format}-${quality}"`,
      'x-content-type-options': 'nosniff',
    },
  });
}
