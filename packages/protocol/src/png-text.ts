/**
 * The one PNG text-chunk codec (core's image store, the client's export and import, tests): CRC32,
 * chunk splitting and joining, tEXt insertion and tEXt/iTXt reading. Browser-safe, no zlib.
 *
 * Invariants: inserted chunks go right after IHDR in sorted key order, so the same pixels plus the
 * same text give byte-identical files (image hashes depend on it). tEXt is Latin-1, so values are
 * stored Latin-1 safe: `\` becomes `\\` and every UTF-16 unit above U+00FF becomes `\uXXXX`
 * (lower-case hex); reading undoes exactly that, so every string round-trips.
 */

const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG that cannot be read or written as asked; the message names the byte offset or key. */
export class PngFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PngFormatError';
  }
}

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
  /** The CRC read with the chunk; a chunk copied unchanged is written with it, not recomputed. */
  crc?: number;
}

/** True when `bytes` starts with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  if (bytes.length < PNG_SIGNATURE.length) return false;
  return PNG_SIGNATURE.every((value, index) => bytes[index] === value);
}

/**
 * Splits a PNG into chunks (up to IEND), verifying bounds, and the CRC of each chunk whose type
 * `verify` accepts (default: all). Skipping image data keeps text edits of a megapixel PNG cheap:
 * a JavaScript CRC over several MB of IDAT costs tens of milliseconds.
 */
export function readPngChunks(
  bytes: Uint8Array,
  verify: (type: string) => boolean = () => true,
): PngChunk[] {
  if (!isPng(bytes)) throw new PngFormatError('not a PNG file (bad signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: PngChunk[] = [];
  let offset = PNG_SIGNATURE.length;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) {
      throw new PngFormatError(`truncated PNG chunk header at byte ${offset}`);
    }
    const length = view.getUint32(offset);
    const type = latin1Decode(bytes.subarray(offset + 4, offset + 8));
    const end = offset + 12 + length;
    if (end > bytes.length) {
      throw new PngFormatError(`truncated PNG chunk ${type} at byte ${offset}`);
    }
    const expected = view.getUint32(offset + 8 + length);
    if (verify(type) && crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== expected) {
      throw new PngFormatError(`PNG chunk ${type} at byte ${offset} has a bad CRC`);
    }
    chunks.push({ type, data: bytes.subarray(offset + 8, offset + 8 + length), crc: expected });
    offset = end;
    if (type === 'IEND') break;
  }
  return chunks;
}

/** Serialises chunks back into a PNG byte stream (lengths; CRCs kept from reading or computed). */
export function writePngChunks(chunks: readonly PngChunk[]): Uint8Array<ArrayBuffer> {
  const total = PNG_SIGNATURE.length + chunks.reduce((sum, c) => sum + 12 + c.data.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(PNG_SIGNATURE, 0);
  let offset = PNG_SIGNATURE.length;
  for (const chunk of chunks) {
    if (!/^[A-Za-z]{4}$/.test(chunk.type)) {
      throw new PngFormatError(`PNG chunk type ${JSON.stringify(chunk.type)} is not 4 letters`);
    }
    view.setUint32(offset, chunk.data.length);
    for (let i = 0; i < 4; i++) out[offset + 4 + i] = chunk.type.charCodeAt(i);
    out.set(chunk.data, offset + 8);
    const crc = chunk.crc ?? crc32(out.subarray(offset + 4, offset + 8 + chunk.data.length));
    view.setUint32(offset + 8 + chunk.data.length, crc);
    offset += 12 + chunk.data.length;
  }
  return out;
}

function isTextChunk(type: string): boolean {
  return type === 'tEXt' || type === 'iTXt';
}

/** Escapes `\` and UTF-16 units above U+00FF so any string survives a Latin-1 tEXt chunk. */
export function toLatin1Safe(value: string): string {
  return value.replace(/[\\\u0100-\uffff]/g, (ch) =>
    ch === '\\' ? '\\\\' : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Undoes {@link toLatin1Safe}. */
export function fromLatin1Safe(value: string): string {
  return value.replace(/\\(\\|u[0-9a-f]{4})/g, (_, sequence: string) =>
    sequence === '\\' ? '\\' : String.fromCharCode(Number.parseInt(sequence.slice(1), 16)),
  );
}

/** Validates a text keyword: 1–79 printable Latin-1 characters, no leading/trailing spaces. */
function checkKeyword(keyword: string): void {
  if (keyword.length < 1 || keyword.length > 79) {
    throw new PngFormatError(`PNG text key "${keyword}" must be 1 to 79 characters`);
  }
  if (!/^[\x20-\x7e\xa1-\xff]+$/.test(keyword) || keyword.trim() !== keyword) {
    throw new PngFormatError(`PNG text key "${keyword}" has characters PNG does not allow`);
  }
}

function latin1Encode(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function latin1Decode(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += String.fromCharCode(byte);
  return out;
}

function textChunk(key: string, value: string): PngChunk {
  checkKeyword(key);
  const keyBytes = latin1Encode(key);
  const valueBytes = latin1Encode(toLatin1Safe(value));
  const data = new Uint8Array(keyBytes.length + 1 + valueBytes.length);
  data.set(keyBytes, 0);
  data.set(valueBytes, keyBytes.length + 1);
  return { type: 'tEXt', data };
}

/** The keyword of a tEXt/iTXt chunk (the bytes before the first NUL). */
function chunkKeyword(data: Uint8Array): string {
  const separator = data.indexOf(0);
  return latin1Decode(separator < 0 ? data : data.subarray(0, separator));
}

/**
 * Inserts tEXt chunks right after IHDR, sorted by key, replacing existing tEXt/iTXt chunks with
 * the same keys. Values are stored Latin-1 safe (see the module invariant).
 */
export function insertPngText(
  png: Uint8Array,
  text: Record<string, string>,
): Uint8Array<ArrayBuffer> {
  const keys = Object.keys(text).sort();
  if (keys.length === 0) return png.slice();
  const inserted = keys.map((key) => textChunk(key, text[key]!));
  // Only the chunks we replace are looked into; the others are copied with their own CRCs.
  const chunks = readPngChunks(png, isTextChunk);
  if (chunks[0]?.type !== 'IHDR') throw new PngFormatError('PNG does not start with an IHDR chunk');
  const replaced = new Set(keys);
  const kept = chunks.filter(
    (c) => (c.type !== 'tEXt' && c.type !== 'iTXt') || !replaced.has(chunkKeyword(c.data)),
  );
  return writePngChunks([kept[0]!, ...inserted, ...kept.slice(1)]);
}

/**
 * Reads every text chunk as key → value (later duplicates win): tEXt values are un-escaped
 * (Latin-1 safe form), uncompressed iTXt values decoded as UTF-8. Compressed iTXt chunks are
 * skipped: inflating needs zlib, which this dependency-free codec does not carry.
 */
export function readPngText(png: Uint8Array): Record<string, string> {
  // No prototype: a keyword such as `__proto__` in an uploaded PNG is plain data.
  const result = Object.create(null) as Record<string, string>;
  for (const chunk of readPngChunks(png, isTextChunk)) {
    if (chunk.type === 'tEXt') {
      const separator = chunk.data.indexOf(0);
      if (separator <= 0) continue;
      const key = latin1Decode(chunk.data.subarray(0, separator));
      result[key] = fromLatin1Safe(latin1Decode(chunk.data.subarray(separator + 1)));
    } else if (chunk.type === 'iTXt') {
      const entry = readInternationalText(chunk.data);
      if (entry) result[entry.key] = entry.value;
    }
  }
  return result;
}

/** Decodes an uncompressed iTXt chunk: key NUL flag method language NUL translated NUL text. */
function readInternationalText(data: Uint8Array): { key: string; value: string } | undefined {
  const keyEnd = data.indexOf(0);
  if (keyEnd <= 0 || keyEnd + 3 > data.length) return undefined;
  if (data[keyEnd + 1] !== 0) return undefined;
  const languageEnd = data.indexOf(0, keyEnd + 3);
  if (languageEnd < 0) return undefined;
  const translatedEnd = data.indexOf(0, languageEnd + 1);
  if (translatedEnd < 0) return undefined;
  const value = new TextDecoder('utf-8', { fatal: false }).decode(data.subarray(translatedEnd + 1));
  return { key: latin1Decode(data.subarray(0, keyEnd)), value };
}
