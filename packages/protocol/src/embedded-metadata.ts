/**
 * Metadata for JPEG and WebP exports, written the way AUTOMATIC1111 writes it so tools that read
 * A1111's infotext read ours: the `parameters` text as EXIF UserComment (Exif IFD tag 0x9286,
 * `UNICODE\0` + UTF-16BE, as piexif's `UserComment.dump(..., encoding="unicode")`), and the
 * `viwo` script in XMP (`viwo:script`). Pure byte manipulation, no dependencies.
 */

const UNICODE_PREFIX = [0x55, 0x4e, 0x49, 0x43, 0x4f, 0x44, 0x45, 0x00]; // "UNICODE\0"
const XMP_NAMESPACE = 'https://viwo.dev/ns/xmp/1.0/';

/** A big-endian TIFF block holding IFD0 → Exif IFD → UserComment (no other tags). */
export function exifUserComment(text: string): Uint8Array {
  const comment = new Uint8Array(UNICODE_PREFIX.length + text.length * 2);
  comment.set(UNICODE_PREFIX, 0);
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    comment[UNICODE_PREFIX.length + index * 2] = unit >> 8;
    comment[UNICODE_PREFIX.length + index * 2 + 1] = unit & 0xff;
  }
  const ifd0 = 8;
  const exifIfd = ifd0 + 18; // count (2) + one entry (12) + next-IFD offset (4)
  const data = exifIfd + 18;
  const tiff = new Uint8Array(data + comment.length);
  const view = new DataView(tiff.buffer);
  tiff.set([0x4d, 0x4d], 0); // "MM": big-endian, as piexif writes
  view.setUint16(2, 42);
  view.setUint32(4, ifd0);
  view.setUint16(ifd0, 1);
  writeEntry(view, ifd0 + 2, 0x8769, 4, 1, exifIfd); // ExifIFDPointer, LONG
  view.setUint32(ifd0 + 14, 0);
  view.setUint16(exifIfd, 1);
  writeEntry(view, exifIfd + 2, 0x9286, 7, comment.length, data); // UserComment, UNDEFINED
  view.setUint32(exifIfd + 14, 0);
  tiff.set(comment, data);
  return tiff;
}

function writeEntry(
  view: DataView,
  at: number,
  tag: number,
  type: number,
  count: number,
  value: number,
): void {
  view.setUint16(at, tag);
  view.setUint16(at + 2, type);
  view.setUint32(at + 4, count);
  view.setUint32(at + 8, value);
}

/** An XMP packet carrying the `viwo` script text and the parameters (each when present). */
export function viwoXmp(script: string | undefined, parameters?: string): string {
  const field = (name: string, value: string) => `<viwo:${name}>${escapeXml(value)}</viwo:${name}>`;
  return [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    `<rdf:Description rdf:about="" xmlns:viwo="${XMP_NAMESPACE}">`,
    script === undefined ? '' : field('script', script),
    parameters === undefined ? '' : field('parameters', parameters),
    '</rdf:Description></rdf:RDF></x:xmpmeta>',
    '<?xpacket end="w"?>',
  ].join('');
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (character) =>
    character === '<'
      ? '&lt;'
      : character === '>'
        ? '&gt;'
        : character === '&'
          ? '&amp;'
          : '&quot;',
  );
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#(\d+)|#x([0-9a-f]+));/gi, (_, name, dec, hex) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(Number.parseInt(hex, 16));
    return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[name as string] ?? '';
  });
}

/** Largest APP1 payload a JPEG segment can hold. */
const MAX_SEGMENT = 0xffff - 2;

/** Inserts an `Exif\0\0` APP1 segment right after SOI. Throws if the bytes are not a JPEG. */
export function insertJpegExif(jpeg: Uint8Array, tiff: Uint8Array): Uint8Array {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG (no SOI marker)');
  const payload = new Uint8Array(6 + tiff.length);
  payload.set([0x45, 0x78, 0x69, 0x66, 0, 0], 0);
  payload.set(tiff, 6);
  if (payload.length > MAX_SEGMENT) throw new Error('EXIF block is larger than a JPEG segment');
  const segment = new Uint8Array(4 + payload.length);
  segment.set([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff], 0);
  segment.set(payload, 4);
  const out = new Uint8Array(jpeg.length + segment.length);
  out.set(jpeg.subarray(0, 2), 0);
  out.set(segment, 2);
  out.set(jpeg.subarray(2), 2 + segment.length);
  return out;
}

/**
 * Adds an `EXIF` chunk to an extended (VP8X) WebP and sets its EXIF flag. The chunk goes after
 * the image data and before any `XMP ` chunk, the order the container spec gives.
 */
export function insertWebpExif(webp: Uint8Array, tiff: Uint8Array): Uint8Array {
  const chunks = webpChunks(webp);
  if (chunks[0]?.fourcc !== 'VP8X') throw new Error('WebP must be in the extended (VP8X) form');
  const exif = chunk('EXIF', tiff);
  const xmpIndex = chunks.findIndex((entry) => entry.fourcc === 'XMP ');
  const parts = chunks.map((entry) => webp.subarray(entry.start, entry.end));
  parts.splice(xmpIndex < 0 ? parts.length : xmpIndex, 0, exif);
  const body = concat(parts);
  const out = new Uint8Array(12 + body.length);
  out.set(webp.subarray(0, 12), 0);
  out.set(body, 12);
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  out[20] = (out[20] ?? 0) | 0x08; // VP8X flags byte: EXIF present
  return out;
}

interface WebpChunk {
  fourcc: string;
  /** Offset of the chunk header. */
  start: number;
  /** Offset after the chunk's (even-padded) payload. */
  end: number;
  payloadStart: number;
  payloadLength: number;
}

function webpChunks(webp: Uint8Array): WebpChunk[] {
  if (ascii(webp, 0, 4) !== 'RIFF' || ascii(webp, 8, 4) !== 'WEBP') throw new Error('not a WebP');
  const view = new DataView(webp.buffer, webp.byteOffset, webp.byteLength);
  const chunks: WebpChunk[] = [];
  let at = 12;
  while (at + 8 <= webp.length) {
    const payloadLength = view.getUint32(at + 4, true);
    const end = at + 8 + payloadLength + (payloadLength & 1);
    if (end > webp.length + 1) throw new Error('WebP chunk runs past the end of the file');
    chunks.push({
      fourcc: ascii(webp, at, 4),
      start: at,
      end,
      payloadStart: at + 8,
      payloadLength,
    });
    at = end;
  }
  return chunks;
}

function chunk(fourcc: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length + (payload.length & 1));
  for (let index = 0; index < 4; index++) out[index] = fourcc.charCodeAt(index);
  new DataView(out.buffer).setUint32(4, payload.length, true);
  out.set(payload, 8);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

/** The XMP packet of a JPEG (APP1 `http://ns.adobe.com/xap/1.0/\0`) or WebP (`XMP ` chunk). */
export function readXmp(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return jpegXmp(bytes);
  if (ascii(bytes, 0, 4) === 'RIFF') {
    try {
      const xmp = webpChunks(bytes).find((entry) => entry.fourcc === 'XMP ');
      return xmp
        ? utf8(bytes.subarray(xmp.payloadStart, xmp.payloadStart + xmp.payloadLength))
        : null;
    } catch {
      return null;
    }
  }
  return null;
}

const XMP_SIGNATURE = 'http://ns.adobe.com/xap/1.0/\0';

function jpegXmp(jpeg: Uint8Array): string | null {
  let at = 2;
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff) {
    const marker = jpeg[at + 1]!;
    if (marker === 0xda || marker === 0xd9) break; // start of scan / end: no more metadata
    const length = (jpeg[at + 2]! << 8) | jpeg[at + 3]!;
    const start = at + 4;
    if (marker === 0xe1 && ascii(jpeg, start, XMP_SIGNATURE.length) === XMP_SIGNATURE) {
      return utf8(jpeg.subarray(start + XMP_SIGNATURE.length, at + 2 + length));
    }
    at += 2 + length;
  }
  return null;
}

function utf8(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** The `viwo:script` text of an XMP packet written by `viwoXmp`, or null. */
export function viwoScriptFromXmp(xmp: string): string | null {
  const match = /<viwo:script>([\s\S]*?)<\/viwo:script>/.exec(xmp);
  return match ? unescapeXml(match[1]!) : null;
}
