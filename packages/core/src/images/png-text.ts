/**
 * Minimal PNG chunk handling written by us: CRC32, tEXt chunk insertion and reading.
 *
 * Invariant: inserted chunks are written in sorted key order right after IHDR, so the same pixels
 * plus the same text give byte-identical files (the image hash depends on it).
 */

const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC32 (ISO 3309, as PNG uses) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** One chunk of a PNG stream. */
export interface PngChunk {
  type: string;
  data: Uint8Array;
}

/** True when `bytes` starts with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  if (bytes.length < PNG_SIGNATURE.length) return false;
  return PNG_SIGNATURE.every((value, index) => bytes[index] === value);
}

/** Splits a PNG into chunks, verifying lengths and CRCs; throws a clear error on corruption. */
export function readPngChunks(bytes: Uint8Array): PngChunk[] {
  if (!isPng(bytes)) throw new Error('not a PNG file (bad signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: PngChunk[] = [];
  let offset = PNG_SIGNATURE.length;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) throw new Error(`truncated PNG chunk header at byte ${offset}`);
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const end = offset + 12 + length;
    if (end > bytes.length) throw new Error(`truncated PNG chunk ${type} at byte ${offset}`);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    const expected = view.getUint32(offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== expected) {
      throw new Error(`PNG chunk ${type} at byte ${offset} has a bad CRC`);
    }
    chunks.push({ type, data });
    offset = end;
    if (type === 'IEND') break;
  }
  return chunks;
}

/** Serialises chunks back into a PNG byte stream (computing lengths and CRCs). */
export function writePngChunks(chunks: readonly PngChunk[]): Uint8Array {
  const total = PNG_SIGNATURE.length + chunks.reduce((sum, c) => sum + 12 + c.data.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(PNG_SIGNATURE, 0);
  let offset = PNG_SIGNATURE.length;
  for (const chunk of chunks) {
    view.setUint32(offset, chunk.data.length);
    for (let i = 0; i < 4; i++) out[offset + 4 + i] = chunk.type.charCodeAt(i);
    out.set(chunk.data, offset + 8);
    view.setUint32(
      offset + 8 + chunk.data.length,
      crc32(out.subarray(offset + 4, offset + 8 + chunk.data.length)),
    );
    offset += 12 + chunk.data.length;
  }
  return out;
}

const latin1Encoder = (text: string): Uint8Array => {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw new Error(`tEXt value has a character outside Latin-1 at ${i}`);
    out[i] = code;
  }
  return out;
};

/** Validates a tEXt keyword: 1–79 printable Latin-1 characters, no leading/trailing spaces. */
function checkKeyword(keyword: string): void {
  if (keyword.length < 1 || keyword.length > 79) {
    throw new Error(`PNG text key "${keyword}" must be 1 to 79 characters`);
  }
  if (!/^[\x20-\x7e\xa1-\xff]+$/.test(keyword) || keyword.trim() !== keyword) {
    throw new Error(`PNG text key "${keyword}" has characters PNG does not allow`);
  }
}

/**
 * Inserts tEXt chunks into a PNG (after IHDR, sorted by key), replacing existing tEXt chunks
 * with the same key. Non-Latin-1 values are stored JSON-escaped (`\uXXXX`) so text stays valid.
 */
export function insertPngText(png: Uint8Array, text: Record<string, string>): Uint8Array {
  const keys = Object.keys(text).sort();
  if (keys.length === 0) return png;
  const chunks = readPngChunks(png);
  const kept = chunks.filter((c) => c.type !== 'tEXt' || !keys.includes(textKeyword(c.data)));
  const inserted: PngChunk[] = keys.map((key) => {
    checkKeyword(key);
    const value = toLatin1Safe(text[key]!);
    const keyBytes = latin1Encoder(key);
    const valueBytes = latin1Encoder(value);
    const data = new Uint8Array(keyBytes.length + 1 + valueBytes.length);
    data.set(keyBytes, 0);
    data.set(valueBytes, keyBytes.length + 1);
    return { type: 'tEXt', data };
  });
  const headerIndex = kept.findIndex((c) => c.type === 'IHDR');
  if (headerIndex !== 0) throw new Error('PNG does not start with an IHDR chunk');
  return writePngChunks([kept[0]!, ...inserted, ...kept.slice(1)]);
}

/** Reads every tEXt chunk of a PNG as key → value (later duplicates win). */
export function readPngText(png: Uint8Array): Record<string, string> {
  // No prototype: a keyword such as `__proto__` in an uploaded PNG is plain data.
  const result = Object.create(null) as Record<string, string>;
  for (const chunk of readPngChunks(png)) {
    if (chunk.type !== 'tEXt') continue;
    const separator = chunk.data.indexOf(0);
    if (separator < 0) continue;
    const key = latin1Decode(chunk.data.subarray(0, separator));
    result[key] = fromLatin1Safe(latin1Decode(chunk.data.subarray(separator + 1)));
  }
  return result;
}

function textKeyword(data: Uint8Array): string {
  const separator = data.indexOf(0);
  return latin1Decode(separator < 0 ? data : data.subarray(0, separator));
}

function latin1Decode(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += String.fromCharCode(byte);
  return out;
}

/** Escapes `\` and characters above U+00FF so any string survives a Latin-1 tEXt chunk. */
function toLatin1Safe(value: string): string {
  // Backslash and every UTF-16 unit above U+00FF get escaped; Latin-1 passes through.
  return value.replace(/[\\\u0100-\uffff]/g, (ch) =>
    ch === '\\' ? '\\\\' : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function fromLatin1Safe(value: string): string {
  return value.replace(/\\(\\|u[0-9a-f]{4})/g, (_, sequence: string) =>
    sequence === '\\' ? '\\' : String.fromCharCode(Number.parseInt(sequence.slice(1), 16)),
  );
}
