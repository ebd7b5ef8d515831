import { SCRIPT_CHUNK_KEY } from '../templates/png-script.ts';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let index = 0; index < 256; index++) {
    let value = index;
    for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
    table[index] = value >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Inserts a `tEXt` chunk (`viwo` → the script as JSON) right after IHDR, so the exported PNG
 * carries the workflow that made it; dropping it back onto the app restores the script.
 * Latin-1 only in tEXt, so the JSON is ASCII-escaped first.
 */
export function embedScriptInPng(png: Uint8Array, script: unknown): Uint8Array<ArrayBuffer> {
  const json = JSON.stringify({ script }).replace(
    /[\u0080-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  const payload = new TextEncoder().encode(`${SCRIPT_CHUNK_KEY}\u0000${json}`);
  const chunk = new Uint8Array(12 + payload.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, payload.length);
  chunk.set(new TextEncoder().encode('tEXt'), 4);
  chunk.set(payload, 8);
  view.setUint32(8 + payload.length, crc32(chunk.subarray(4, 8 + payload.length)));
  // Signature (8) + IHDR (4 length + 4 type + 13 data + 4 crc) = 33 bytes.
  const out = new Uint8Array(png.length + chunk.length);
  out.set(png.subarray(0, 33), 0);
  out.set(chunk, 33);
  out.set(png.subarray(33), 33 + chunk.length);
  return out;
}
