import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import {
  crc32,
  fromLatin1Safe,
  insertPngText,
  readPngChunks,
  readPngText,
  toLatin1Safe,
  writePngChunks,
} from '../src/png-text.ts';

/** A valid 1×1 grey PNG built by hand: IHDR, a stored-deflate IDAT, IEND. */
function tinyPng(): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, 1);
  view.setUint32(4, 1);
  header[8] = 8; // bit depth
  header[9] = 0; // grey
  // zlib header, one stored final block of 2 bytes (filter 0, pixel 0), adler32 = 0x00020001.
  const idat = new Uint8Array([0x78, 0x01, 0x01, 0x02, 0x00, 0xfd, 0xff, 0, 0, 0, 2, 0, 1]);
  return writePngChunks([
    { type: 'IHDR', data: header },
    { type: 'IDAT', data: idat },
    { type: 'IEND', data: new Uint8Array() },
  ]);
}

/** An uncompressed iTXt chunk as A1111 writes one for non-Latin-1 text. */
function itxt(key: string, value: string): { type: string; data: Uint8Array } {
  const encoder = new TextEncoder();
  const body = [...encoder.encode(key), 0, 0, 0, 0, 0, ...encoder.encode(value)];
  return { type: 'iTXt', data: new Uint8Array(body) };
}

describe('png text chunks', () => {
  test('crc32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
  });

  test('inserted text reads back, right after IHDR, and the other chunks stay', () => {
    const png = insertPngText(tinyPng(), { parameters: 'a cat, 20 steps', Software: 'viwo' });
    expect(readPngText(png)).toEqual({ parameters: 'a cat, 20 steps', Software: 'viwo' });
    expect(readPngChunks(png).map((chunk) => chunk.type)).toEqual([
      'IHDR',
      'tEXt',
      'tEXt',
      'IDAT',
      'IEND',
    ]);
  });

  test('insertion is deterministic regardless of key order and replaces keys', () => {
    const base = tinyPng();
    const a = insertPngText(base, { b: '2', a: '1' });
    const b = insertPngText(base, { a: '1', b: '2' });
    expect(a).toEqual(b);
    expect(readPngText(insertPngText(a, { a: 'changed' }))).toEqual({ a: 'changed', b: '2' });
  });

  test('the Latin-1 safe form escapes backslashes and text above U+00FF only', () => {
    expect(toLatin1Safe('café \\ 狐')).toBe('café \\\\ \\u72d0');
    expect(fromLatin1Safe('café \\\\ \\u72d0')).toBe('café \\ 狐');
    // An escaped backslash followed by "u0041" is a backslash and the letters, not "A".
    expect(fromLatin1Safe(toLatin1Safe('\\u0041'))).toBe('\\u0041');
  });

  test('any string value round-trips, and stored bytes are Latin-1 (property)', () => {
    const base = tinyPng();
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (value) => {
        const png = insertPngText(base, { key: value });
        expect(readPngText(png).key).toBe(value);
        expect(readPngText(insertPngText(base, { viwo: JSON.stringify({ value }) })).viwo).toBe(
          JSON.stringify({ value }),
        );
      }),
      { numRuns: 200 },
    );
  });

  test('uncompressed iTXt chunks read as UTF-8; saving the key again replaces them', () => {
    const chunks = readPngChunks(tinyPng());
    const png = writePngChunks([
      chunks[0]!,
      itxt('parameters', 'ein Fuchs — 狐'),
      ...chunks.slice(1),
    ]);
    expect(readPngText(png)).toEqual({ parameters: 'ein Fuchs — 狐' });
    const replaced = insertPngText(png, { parameters: 'a fox' });
    expect(readPngChunks(replaced).filter((chunk) => chunk.type === 'iTXt')).toEqual([]);
    expect(readPngText(replaced)).toEqual({ parameters: 'a fox' });
  });

  test('corruption is reported clearly', () => {
    const png = insertPngText(tinyPng(), { a: 'b' });
    const broken = png.slice();
    // Byte 43 is the value of the tEXt chunk right after IHDR: text chunks are CRC-checked.
    broken[43] = (broken[43]! + 1) % 256;
    expect(() => readPngText(broken)).toThrow(/bad CRC/);
    const idat = png.slice();
    idat[idat.length - 20] = (idat[idat.length - 20]! + 1) % 256;
    expect(() => readPngChunks(idat)).toThrow(/bad CRC/);
    expect(() => readPngText(new Uint8Array([1, 2, 3]))).toThrow(/not a PNG/);
    expect(() => readPngText(png.subarray(0, 30))).toThrow(/truncated/);
    expect(() => insertPngText(png, { '': 'x' })).toThrow(/1 to 79/);
    expect(() => insertPngText(png, { ' lead': 'x' })).toThrow(/does not allow/);
  });

  test('text edits copy image chunks with their CRCs: same bytes as recomputing, fully valid', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 8 }).filter((key) => /^[a-z]+$/.test(key)),
          fc.string({ maxLength: 40 }),
        ),
        (text) => {
          const edited = insertPngText(tinyPng(), text);
          // Recomputing every CRC gives the same bytes, and a full verification passes.
          const chunks = readPngChunks(edited).map(({ type, data }) => ({ type, data }));
          expect(writePngChunks(chunks)).toEqual(edited);
          expect(readPngText(edited)).toEqual(text);
        },
      ),
      { numRuns: 100 },
    );
  });
});
