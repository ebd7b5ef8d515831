import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPngChunks } from '@viwo/protocol';
import sharp from 'sharp';
import { FileImageStore, insertPngText } from '../src/index.ts';

let dir: string;
let store: FileImageStore;
let png: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'viwo-put-png-'));
  store = new FileImageStore(dir, { maxPixels: 64 * 64 });
  const pixels = new Uint8Array(16 * 8 * 3).map((_, index) => (index * 13) & 255);
  png = new Uint8Array(
    await sharp(pixels, { raw: { width: 16, height: 8, channels: 3 } })
      .png()
      .toBuffer(),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('putPng keeps the pixel chunks, drops foreign text, adds ours, hashes deterministically', async () => {
  const foreign = insertPngText(png, { Comment: 'made somewhere at 12:00', Software: 'x' });
  const fromPlain = await store.putPng(png, { parameters: 'p', viwo: '{}' });
  const fromForeign = await store.putPng(foreign, { parameters: 'p', viwo: '{}' });
  expect(fromForeign).toEqual(fromPlain);
  expect(fromPlain).toMatchObject({ width: 16, height: 8 });
  expect(await store.getText(fromPlain.$image)).toEqual({ parameters: 'p', viwo: '{}' });
  const stored = await store.getPng(fromPlain.$image);
  const idat = (bytes: Uint8Array) => readPngChunks(bytes).filter((c) => c.type === 'IDAT');
  expect(idat(stored)).toEqual(idat(png));
});

test('putPng refuses corrupt, truncated and oversized PNGs', async () => {
  const corrupt = new Uint8Array(png);
  corrupt[40] = corrupt[40]! ^ 0xff;
  await expect(store.putPng(corrupt)).rejects.toThrow(/not a valid PNG/);
  await expect(store.putPng(png.subarray(0, png.length - 20))).rejects.toThrow(/not a valid PNG/);
  const big = new Uint8Array(
    await sharp({ create: { width: 80, height: 80, channels: 3, background: '#fff' } })
      .png()
      .toBuffer(),
  );
  await expect(store.putPng(big)).rejects.toThrow(/over the limit/);
});
