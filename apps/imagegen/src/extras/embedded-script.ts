/**
 * The workflow script any image this app exports carries: PNG in its `viwo` tEXt chunk, JPEG and
 * WebP in the `viwo:script` field of their XMP packet (the same text, written by the server's
 * `/images/<sha>.jpg|.webp` routes and by Layer Mode's export).
 */
import { readXmp, viwoScriptFromXmp } from '@viwo/protocol';
import {
  type EmbeddedScript,
  extractPngScript,
  PngScriptError,
  parseScriptChunk,
} from '../templates/png-script.ts';

/** Image kinds that can carry a script, by their leading bytes. */
export type ScriptImageKind = 'png' | 'jpeg' | 'webp';

/** The kind of image the bytes are (by signature, not by file name), or undefined. */
export function scriptImageKind(bytes: Uint8Array): ScriptImageKind | undefined {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47)
    return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpeg';
  const tag = (start: number) => String.fromCharCode(...bytes.subarray(start, start + 4));
  if (tag(0) === 'RIFF' && tag(8) === 'WEBP') return 'webp';
  return undefined;
}

/** True for a dropped file the app should read a script from (PNG, JPEG or WebP). */
export function isScriptImageFile(file: { name: string; type: string }): boolean {
  return (
    ['image/png', 'image/jpeg', 'image/webp'].includes(file.type) ||
    /\.(png|jpe?g|webp)$/i.test(file.name)
  );
}

/**
 * The script an image produced by this app carries. Throws PngScriptError naming the reason when
 * the file is not a PNG/JPEG/WebP or was not produced here (no script in it).
 */
export function extractEmbeddedScript(bytes: Uint8Array): EmbeddedScript {
  const kind = scriptImageKind(bytes);
  if (kind === 'png') return extractPngScript(bytes);
  if (kind === undefined)
    throw new PngScriptError('not a PNG, JPEG or WebP image, so it holds no workflow');
  const label = kind === 'jpeg' ? 'JPEG' : 'WebP';
  const xmp = readXmp(bytes);
  if (xmp === null) {
    throw new PngScriptError(
      `this ${label} carries no XMP metadata, so it holds no workflow (it was not produced by viwo)`,
    );
  }
  const text = viwoScriptFromXmp(xmp);
  if (text === null) {
    throw new PngScriptError(
      `this ${label}'s XMP has no viwo:script field, so it holds no workflow (it was not produced by viwo, or its script was too large for the format)`,
    );
  }
  return parseScriptChunk(text);
}
