/**
 * Compressed static responses: JS, CSS, HTML, SVG and JSON over 1 KB go out brotli- or
 * gzip-encoded, whichever the browser accepts (brotli preferred). Files are compressed once and
 * kept in memory keyed by path, size and modification time, so a rebuilt client is picked up.
 */
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Smallest file worth compressing (smaller ones gain nothing over the header cost). */
export const COMPRESS_MIN_BYTES = 1024;
const COMPRESSIBLE = new Set(['.js', '.css', '.html', '.svg', '.json', '.txt', '.map']);
const cache = new Map<
  string,
  { stamp: string; br?: Uint8Array<ArrayBuffer>; gzip?: Uint8Array<ArrayBuffer> }
>();

/** Which encoding to use for `file` given the request's Accept-Encoding, if any. */
export function chooseEncoding(
  file: string,
  size: number,
  acceptEncoding: string | null | undefined,
): 'br' | 'gzip' | undefined {
  if (size <= COMPRESS_MIN_BYTES || !COMPRESSIBLE.has(extname(file))) return undefined;
  const accepted = (acceptEncoding ?? '')
    .split(',')
    .map((part) => part.trim().split(';'))
    .filter(([, quality]) => !quality || !/^q=0(\.0*)?$/.test(quality.trim()))
    .map(([name]) => name!.toLowerCase());
  if (accepted.includes('br')) return 'br';
  if (accepted.includes('gzip')) return 'gzip';
  return undefined;
}

/** The file's bytes in `encoding`, compressed once per file version. */
export function compressedFile(file: string, encoding: 'br' | 'gzip'): Uint8Array<ArrayBuffer> {
  const stats = statSync(file);
  const stamp = `${stats.size}:${stats.mtimeMs}`;
  let entry = cache.get(file);
  if (entry?.stamp !== stamp) {
    entry = { stamp };
    cache.set(file, entry);
  }
  const existing = entry[encoding];
  if (existing) return existing;
  const raw = readFileSync(file);
  const bytes =
    encoding === 'br'
      ? brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } })
      : gzipSync(raw, { level: 9 });
  const result = new Uint8Array(bytes);
  entry[encoding] = result;
  return result;
}
