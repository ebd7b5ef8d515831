import { type ImageFormat, type ImageValue, imagePath, viwoXmp } from '@viwo/protocol';
import { authedFetch } from '../auth/auth-token.ts';
import { embedScriptInPng } from '../templates/png-script.ts';
import { replaceJpegXmp, replaceWebpXmp } from './xmp-replace.ts';

/** The formats the app exports, with their labels and MIME types. */
export const EXPORT_FORMATS: readonly { format: ImageFormat; label: string; mime: string }[] = [
  { format: 'png', label: 'PNG', mime: 'image/png' },
  { format: 'jpg', label: 'JPEG', mime: 'image/jpeg' },
  { format: 'webp', label: 'WebP', mime: 'image/webp' },
];

/** Quality the app asks the server's JPEG/WebP transcoder for. */
export const EXPORT_QUALITY = 90;

/** The server URL path of a stored image in a format (`?quality=` for the lossy ones). */
export function exportPath(image: ImageValue, format: ImageFormat): string {
  const path = imagePath(image, format);
  return format === 'png' ? path : `${path}?quality=${EXPORT_QUALITY}`;
}

/**
 * A stored image in `format`, carrying `script` the way our files do: a PNG in its `viwo` tEXt
 * chunk, a JPEG or WebP (transcoded by the server) in its XMP `viwo:script`, so dropping the file
 * back on the app restores the workflow. The text is the same `{script}` JSON in all three.
 */
export async function imageWithScript(
  image: ImageValue,
  format: ImageFormat,
  script: unknown,
): Promise<Blob> {
  const response = await authedFetch(exportPath(image, format));
  if (!response.ok) throw new Error(`image not served as ${format} (HTTP ${response.status})`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const mime = EXPORT_FORMATS.find((entry) => entry.format === format)!.mime;
  if (format === 'png') return new Blob([embedScriptInPng(bytes, script)], { type: mime });
  const xmp = viwoXmp(JSON.stringify({ script }));
  const withScript = format === 'jpg' ? replaceJpegXmp(bytes, xmp) : replaceWebpXmp(bytes, xmp);
  return new Blob([withScript], { type: mime });
}

/** Saves a blob as a file (a temporary object URL on a temporary link). */
export function saveBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Revoke after the click has been handled so the download can still read the blob.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
