import { crc32 } from 'node:zlib';
import { isPng, type PngChunk, toLatin1Safe } from '@viwo/protocol';

/**
 * Server-side PNG chunk reading and writing with zlib's native CRC32. The protocol's codec is
 * browser-safe, so its CRC is a JavaScript table loop; over a 3 MB result PNG that loop took
 * 13–130 ms on this machine against well under 1 ms for zlib's, and `putPng` checks and rewrites
 * every chunk of every cloud result. Same formats and rules as `@viwo/protocol`'s codec.
 */

/** Splits a PNG into chunks, verifying lengths and CRCs; throws naming the bad byte offset. */
export function readPngChunksNative(bytes: Uint8Array): PngChunk[] {
  if (!isPng(bytes)) throw new Error('not a PNG file (bad signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: PngChunk[] = [];
  let offset = 8;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) throw new Error(`truncated PNG chunk header at byte ${offset}`);
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const end = offset + 12 + length;
    if (end > bytes.length) throw new Error(`truncated PNG chunk ${type} at byte ${offset}`);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) >>> 0 !== view.getUint32(end - 4)) {
      throw new Error(`PNG chunk ${type} at byte ${offset} has a bad CRC`);
    }
    chunks.push({ type, data: bytes.subarray(offset + 8, offset + 8 + length) });
    offset = end;
    if (type === 'IEND') return chunks;
  }
  throw new Error('truncated PNG: no IEND chunk');
}

/**
 * Writes chunks as a PNG with tEXt chunks (Latin-1 safe values, sorted keys) right after IHDR,
 * as the protocol's `insertPngText` places them, so equal pixels and text give equal bytes.
 */
export function writePngWithText(
  chunks: readonly PngChunk[],
  text: Record<string, string>,
): Uint8Array {
  if (chunks[0]?.type !== 'IHDR') throw new Error('PNG does not start with an IHDR chunk');
  const inserted = Object.keys(text)
    .sort()
    .map((key) => {
      if (!/^[\x20-\x7e\xa1-\xff]{1,79}$/.test(key) || key.trim() !== key) {
        throw new Error(`PNG text key "${key}" is not a valid keyword`);
      }
      const value = toLatin1Safe(text[key]!);
      const data = new Uint8Array(key.length + 1 + value.length);
      for (let i = 0; i < key.length; i++) data[i] = key.charCodeAt(i);
      for (let i = 0; i < value.length; i++) data[key.length + 1 + i] = value.charCodeAt(i);
      return { type: 'tEXt', data };
    });
  const all = [chunks[0], ...inserted, ...chunks.slice(1)];
  const out = new Uint8Array(8 + all.reduce((sum, chunk) => sum + 12 + chunk.data.length, 0));
  const view = new DataView(out.buffer);
  out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 0);
  let offset = 8;
  for (const chunk of all) {
    view.setUint32(offset, chunk.data.length);
    for (let i = 0; i < 4; i++) out[offset + 4 + i] = chunk.type.charCodeAt(i);
    out.set(chunk.data, offset + 8);
    const end = offset + 8 + chunk.data.length;
    view.setUint32(end, crc32(out.subarray(offset + 4, end)) >>> 0);
    offset = end + 4;
  }
  return out;
}
