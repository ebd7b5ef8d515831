import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { readXmp, viwoScriptFromXmp } from '@viwo/core';
import exifReader from 'exif-reader';
import sharp from 'sharp';
import { startTestServer, type TestServer } from './server-harness.ts';

let harness: TestServer;
let base: string;
let hash: string;
const parameters =
  'a lighthouse at dusk\nNegative prompt: blur\nSteps: 4, Sampler: Euler a, Seed: 42';
const script =
  '["std.call_method",["get_capability","diffusers.generate"],"textToImage","a lighthouse"]';

beforeAll(async () => {
  harness = await startTestServer();
  base = `http://127.0.0.1:${harness.server.port}`;
  const data = new Uint8Array(40 * 30 * 4).map((_, i) => (i * 31) % 256);
  const image = await harness.runtime.images.putRaw(
    { data, width: 40, height: 30, channels: 4 },
    { parameters, viwo: script },
  );
  hash = image.$image;
});
afterAll(async () => harness.stop());

describe('GET /images/<sha256>.jpg and .webp', () => {
  for (const [extension, format, type] of [
    ['jpg', 'jpeg', 'image/jpeg'],
    ['webp', 'webp', 'image/webp'],
  ] as const) {
    test(`.${extension} serves ${type} with A1111 parameters in EXIF and the script in XMP`, async () => {
      const response = await fetch(`${base}/images/${hash}.${extension}?quality=70`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(type);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const meta = await sharp(bytes).metadata();
      expect(meta.format).toBe(format);
      const comment = (exifReader(meta.exif!).Photo as Record<string, Uint8Array>).UserComment!;
      const text = Buffer.from(comment.subarray(8)).swap16().toString('utf16le');
      expect(text).toBe(parameters);
      expect(viwoScriptFromXmp(readXmp(bytes)!)).toBe(script);
    });
  }

  test('bad quality, unknown hashes and other extensions are clear 4xx answers', async () => {
    expect((await fetch(`${base}/images/${hash}.jpg?quality=0`)).status).toBe(400);
    expect((await fetch(`${base}/images/${hash}.webp?quality=abc`)).status).toBe(400);
    expect((await fetch(`${base}/images/${'1'.repeat(64)}.webp`)).status).toBe(404);
    expect((await fetch(`${base}/images/${hash}.gif`)).status).toBe(400);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});
