/**
 * Reads the script an app-produced PNG carries in its `viwo` tEXt chunk, in the browser (no
 * server round trip, no image decoding). The chunk value uses core's Latin-1-safe escaping
 * (`\\` for a backslash, `\uXXXX` above U+00FF), undone here.
 */

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Keyword of the tEXt chunk that holds the script. */
export const SCRIPT_CHUNK_KEY = 'viwo';

/** Why a dropped file could not give a script. */
export class PngScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PngScriptError';
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

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function latin1(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += String.fromCharCode(byte);
  return out;
}

function unescapeLatin1Safe(value: string): string {
  return value.replace(/\\(\\|u[0-9a-f]{4})/g, (_, sequence: string) =>
    sequence === '\\' ? '\\' : String.fromCharCode(Number.parseInt(sequence.slice(1), 16)),
  );
}

/** Whether the bytes start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return PNG_SIGNATURE.every((byte, index) => bytes[index] === byte);
}

/**
 * Every tEXt chunk of a PNG as keyword → text. Checks the signature, chunk bounds and CRCs, so a
 * truncated or corrupted file is refused with the offset of the problem.
 */
export function readPngTextChunks(bytes: Uint8Array): Record<string, string> {
  if (!isPng(bytes)) throw new PngScriptError('not a PNG file (signature missing)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text: Record<string, string> = {};
  let offset = PNG_SIGNATURE.length;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) {
      throw new PngScriptError(`PNG truncated inside the chunk header at byte ${offset}`);
    }
    const length = view.getUint32(offset);
    const type = latin1(bytes.subarray(offset + 4, offset + 8));
    const end = offset + 12 + length;
    if (end > bytes.length) {
      throw new PngScriptError(`PNG chunk ${type} at byte ${offset} runs past the end of the file`);
    }
    const body = bytes.subarray(offset + 4, offset + 8 + length);
    if (crc32(body) !== view.getUint32(offset + 8 + length)) {
      throw new PngScriptError(
        `PNG chunk ${type} at byte ${offset} has a bad CRC (file corrupted)`,
      );
    }
    if (type === 'tEXt') {
      const data = body.subarray(4);
      const separator = data.indexOf(0);
      if (separator > 0) {
        const key = latin1(data.subarray(0, separator));
        text[key] = unescapeLatin1Safe(latin1(data.subarray(separator + 1)));
      }
    }
    if (type === 'IEND') break;
    offset = end;
  }
  return text;
}

/**
 * A script recovered from a PNG: JSON form, or text form for the caller to parse. `params` is the
 * generation record plugins store next to the script (`{script, params}` chunks), if any.
 */
export type EmbeddedScript =
  | { form: 'json'; script: unknown; params?: unknown }
  | { form: 'text'; text: string };

/**
 * The script a PNG produced by this app carries. Throws PngScriptError when the file is not a
 * PNG, is corrupted, or has no `viwo` chunk (it was not produced here).
 */
export function extractPngScript(bytes: Uint8Array): EmbeddedScript {
  const chunks = readPngTextChunks(bytes);
  const value = chunks[SCRIPT_CHUNK_KEY];
  if (value === undefined) {
    throw new PngScriptError(
      `this PNG carries no "${SCRIPT_CHUNK_KEY}" text chunk, so it holds no workflow (it was not produced by viwo)`,
    );
  }
  const trimmed = value.trim();
  if (trimmed.startsWith('(')) return { form: 'text', text: trimmed };
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (error) {
    throw new PngScriptError(
      `the "${SCRIPT_CHUNK_KEY}" chunk is not valid JSON: ${(error as Error).message}`,
    );
  }
  // Plugins record `{script, params}`; a composite export may store the bare script array.
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const record = parsed as Record<string, unknown>;
    if (!('script' in record)) {
      throw new PngScriptError(
        `the "${SCRIPT_CHUNK_KEY}" chunk describes how the image was made but holds no script`,
      );
    }
    return 'params' in record
      ? { form: 'json', script: record.script, params: record.params }
      : { form: 'json', script: record.script };
  }
  if (typeof parsed === 'string' && parsed.trim().startsWith('(')) {
    return { form: 'text', text: parsed.trim() };
  }
  return { form: 'json', script: parsed };
}
