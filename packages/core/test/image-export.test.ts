import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readXmp, viwoScriptFromXmp } from '@viwo/protocol';
import exifReader from 'exif-reader';
import sharp from 'sharp';
import { FileImageStore } from '../src/images/file-image-store.ts';
import { exportImage } from '../src/images/image-export.ts';

let dir: string;
let store: FileImageStore;
const parameters = 'a red ball, "quoted" & <tagged> é ✓\nNegative prompt: blur\nSteps: 4, Seed: 7';
const script = JSON.stringify([
  'std.call_method',
  ['get_capability', 'diffusers.generate'],
  'textToImage',
  'a <red> & "ball"',
]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'viwo-export-'));
  store = new FileImageStore(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Decodes a piexif-style UserComment: 8-byte charset prefix, then the text. */
function userComment(raw: Uint8Array): string {
  const prefix = new TextDecoder().decode(raw.subarray(0, 8));
  expect(prefix).toBe('UNICODE\0');
  const body = raw.subarray(8);
  let text = '';
  for (let index = 0; index + 1 < body.length; index += 2) {
    text += String.fromCharCode((body[index]! << 8) | body[index + 1]!);
  }
  return text;
}

async function storedImage(channels: 3 | 4) {
  const data = new Uint8Array(48 * 32 * channels).map((_, i) => (i * 13) % 256);
  return store.putRaw({ data, width: 48, height: 32, channels }, { parameters, viwo: script });
}

describe('JPEG and WebP exports carry A1111 parameters and the viwo script', () => {
  for (const format of ['jpeg', 'webp'] as const) {
    test(`${format}: sharp and exif-reader read what we wrote`, async () => {
      const image = await storedImage(4);
      const bytes = await exportImage(store, image.$image, format, 80);
      const meta = await sharp(bytes).metadata();
      expect(meta.format).toBe(format);
      expect([meta.width, meta.height]).toEqual([48, 32]);
      expect(meta.exif).toBeDefined();
      const exif = exifReader(meta.exif!);
      const comment = (exif.Photo as Record<string, unknown>).UserComment as Uint8Array;
      expect(userComment(comment)).toBe(parameters);
      expect(meta.xmp).toBeDefined();
      const xmp = new TextDecoder().decode(meta.xmp!);
      expect(viwoScriptFromXmp(xmp)).toBe(script);
      // Our own reader (used by drag-and-drop) finds the same script in the raw file bytes.
      expect(viwoScriptFromXmp(readXmp(bytes)!)).toBe(script);
    });
  }

  test('quality changes the bytes; a bad quality is a clear error', async () => {
    const image = await storedImage(3);
    const low = await exportImage(store, image.$image, 'jpeg', 20);
    const high = await exportImage(store, image.$image, 'jpeg', 95);
    expect(low.length).toBeLessThan(high.length);
    await expect(exportImage(store, image.$image, 'webp', 0)).rejects.toThrow('quality');
  });

  test('an image without text chunks exports without metadata errors', async () => {
    const plain = await store.putRaw({
      data: new Uint8Array(16 * 16 * 3),
      width: 16,
      height: 16,
      channels: 3,
    });
    for (const format of ['jpeg', 'webp'] as const) {
      const bytes = await exportImage(store, plain.$image, format);
      expect((await sharp(bytes).metadata()).format).toBe(format);
      expect(viwoScriptFromXmp(readXmp(bytes) ?? '')).toBeNull();
    }
  });
});
