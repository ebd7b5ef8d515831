/**
 * Swaps the XMP packet of a JPEG or WebP the server transcoded (`/images/<sha>.jpg|.webp`, which
 * always writes one) for another, so Layer Mode's export can carry the canvas script the stored
 * composite lacks. Pure byte surgery; the image data is untouched.
 */

const XMP_SIGNATURE = 'http://ns.adobe.com/xap/1.0/\0';
/** Largest payload one JPEG APP1 segment holds (64 KiB less the length field). */
const MAX_JPEG_SEGMENT = 0xffff - 2;

const ascii = (bytes: Uint8Array, start: number, length: number) =>
  String.fromCharCode(...bytes.subarray(start, start + length));

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A JPEG whose XMP APP1 segment holds `xmp` (replacing one, or inserted after SOI). */
export function replaceJpegXmp(jpeg: Uint8Array, xmp: string): Uint8Array<ArrayBuffer> {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG (no SOI marker)');
  const payload = new TextEncoder().encode(XMP_SIGNATURE + xmp);
  if (payload.length > MAX_JPEG_SEGMENT) {
    throw new Error(
      `the script is too large for a JPEG's XMP segment (${payload.length} bytes, at most ${MAX_JPEG_SEGMENT}): export PNG or WebP instead`,
    );
  }
  const segment = concat([
    new Uint8Array([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]),
    payload,
  ]);
  let at = 2;
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff) {
    const marker = jpeg[at + 1]!;
    if (marker === 0xda || marker === 0xd9) break;
    const end = at + 2 + ((jpeg[at + 2]! << 8) | jpeg[at + 3]!);
    if (marker === 0xe1 && ascii(jpeg, at + 4, XMP_SIGNATURE.length) === XMP_SIGNATURE)
      return concat([jpeg.subarray(0, at), segment, jpeg.subarray(end)]);
    at = end;
  }
  return concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
}

/** A WebP whose `XMP ` chunk holds `xmp`; it must be in the extended (VP8X) form. */
export function replaceWebpXmp(webp: Uint8Array, xmp: string): Uint8Array<ArrayBuffer> {
  if (ascii(webp, 0, 4) !== 'RIFF' || ascii(webp, 8, 4) !== 'WEBP') throw new Error('not a WebP');
  if (ascii(webp, 12, 4) !== 'VP8X') throw new Error('WebP must be in the extended (VP8X) form');
  const view = new DataView(webp.buffer, webp.byteOffset, webp.byteLength);
  const payload = new TextEncoder().encode(xmp);
  const chunk = new Uint8Array(8 + payload.length + (payload.length & 1));
  chunk.set(new TextEncoder().encode('XMP '), 0);
  new DataView(chunk.buffer).setUint32(4, payload.length, true);
  chunk.set(payload, 8);
  const parts: Uint8Array[] = [];
  let at = 12;
  while (at + 8 <= webp.length) {
    const length = view.getUint32(at + 4, true);
    const end = Math.min(webp.length, at + 8 + length + (length & 1));
    // The spec puts XMP last: drop an old one here and append the new one at the end.
    if (ascii(webp, at, 4) !== 'XMP ') parts.push(webp.subarray(at, end));
    at = end;
  }
  parts.push(chunk);
  const out = concat([webp.subarray(0, 12), ...parts]);
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  out[20] = (out[20] ?? 0) | 0x04; // VP8X flags: XMP present
  return out;
}
