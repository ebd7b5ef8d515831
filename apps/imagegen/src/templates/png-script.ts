/**
 * The script an app-produced PNG carries in its `viwo` tEXt chunk: embedded on export, read back
 * in the browser when a PNG is dropped (no server round trip, no image decoding). The chunk codec
 * (and its Latin-1 safe escaping) is `@viwo/protocol`'s, shared with the server's image store.
 */
import { insertPngText, PngFormatError, readPngText } from '@viwo/protocol';

/** Keyword of the tEXt chunk that holds the script. */
export const SCRIPT_CHUNK_KEY = 'viwo';

/** Why a dropped file could not give a script. */
export class PngScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PngScriptError';
  }
}

/**
 * A copy of `png` carrying `script` in its `viwo` chunk (as `{script}` JSON, the shape plugins
 * record), so dropping the exported file back onto the app restores the workflow.
 */
export function embedScriptInPng(png: Uint8Array, script: unknown): Uint8Array<ArrayBuffer> {
  return insertPngText(png, { [SCRIPT_CHUNK_KEY]: JSON.stringify({ script }) });
}

/** Every text chunk of a PNG; a file that is not a readable PNG is a PngScriptError. */
function textChunks(bytes: Uint8Array): Record<string, string> {
  try {
    return readPngText(bytes);
  } catch (error) {
    if (error instanceof PngFormatError) throw new PngScriptError(error.message);
    throw error;
  }
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
  const chunks = textChunks(bytes);
  const value = chunks[SCRIPT_CHUNK_KEY];
  if (value === undefined) {
    throw new PngScriptError(
      `this PNG carries no "${SCRIPT_CHUNK_KEY}" text chunk, so it holds no workflow (it was not produced by viwo)`,
    );
  }
  return parseScriptChunk(value);
}

/**
 * The script in the text of a `viwo` chunk (PNG tEXt, or the `viwo:script` XMP field of our JPEG
 * and WebP exports, which carry the same text). Throws PngScriptError when it holds none.
 */
export function parseScriptChunk(value: string): EmbeddedScript {
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
