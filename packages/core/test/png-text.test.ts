import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import sharp from 'sharp';
import { crc32, insertPngText, readPngText } from '../src/images/png-text.ts';

async function tinyPng(): Promise<Uint8Array> {
  const data = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  return new Uint8Array(
    await sharp(data, { raw: { width: 2, height: 2, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

describe('png text chunks', () => {
  test('crc32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
  });

  test('inserted text reads back and sharp still decodes the file', async () => {
    const png = insertPngText(await tinyPng(), { parameters: 'a cat, 20 steps', Software: 'viwo' });
    expect(readPngText(png)).toEqual({ parameters: 'a cat, 20 steps', Software: 'viwo' });
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height]).toEqual([2, 2]);
  });

  test('insertion is deterministic regardless of key order and replaces keys', async () => {
    const base = await tinyPng();
    const a = insertPngText(base, { b: '2', a: '1' });
    const b = insertPngText(base, { a: '1', b: '2' });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(readPngText(insertPngText(a, { a: 'changed' }))).toEqual({ a: 'changed', b: '2' });
  });

  test('any string value round-trips (property)', async () => {
    const base = await tinyPng();
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (value) => {
        expect(readPngText(insertPngText(base, { key: value })).key).toBe(value);
      }),
      { numRuns: 200 },
    );
  });

  test('corruption is reported clearly', async () => {
    const png = insertPngText(await tinyPng(), { a: 'b' });
    const broken = png.slice();
    broken[40] = (broken[40]! + 1) % 256;
    expect(() => readPngText(broken)).toThrow(/bad CRC|truncated/);
    expect(() => readPngText(new Uint8Array([1, 2, 3]))).toThrow(/not a PNG/);
    expect(() => readPngText(png.subarray(0, 30))).toThrow(/truncated/);
    expect(() => insertPngText(png, { '': 'x' })).toThrow(/1 to 79/);
  });
});
