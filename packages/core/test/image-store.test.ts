import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { FileImageStore } from '../src/images/file-image-store.ts';

let dir: string;
let store: FileImageStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'viwo-images-'));
  store = new FileImageStore(dir, { maxPixels: 256 * 256 });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function gradient(width: number, height: number, channels: 3 | 4 = 3) {
  const data = new Uint8Array(width * height * channels).map((_, i) => (i * 7) % 256);
  return { data, width, height, channels } as const;
}

describe('FileImageStore', () => {
  test('stores content-addressed, deterministic PNGs under images/ab/<hash>.png', async () => {
    const first = await store.putRaw(gradient(20, 10), { parameters: 'p' });
    const second = await store.putRaw(gradient(20, 10), { parameters: 'p' });
    expect(second).toEqual(first);
    expect([first.width, first.height]).toEqual([20, 10]);
    const path = join(dir, 'images', first.$image.slice(0, 2), `${first.$image}.png`);
    const bytes = await readFile(path);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(first.$image);
    expect(await store.getText(first.$image)).toEqual({ parameters: 'p' });
    const other = await store.putRaw(gradient(20, 10), { parameters: 'q' });
    expect(other.$image).not.toBe(first.$image);
    // No temp files left behind by the atomic write.
    const names = await readdir(join(dir, 'images', first.$image.slice(0, 2)));
    expect(names.every((name) => name.endsWith('.png'))).toBe(true);
  });

  test('a large (> 1 megapixel) encode is deterministic and leaves the event loop free', async () => {
    const big = new FileImageStore(dir);
    const image = gradient(1280, 1024, 4);
    let ticks = 0;
    let running = true;
    // Counts event-loop turns while the encode runs: a synchronous encode would allow none.
    const spin = () => {
      if (!running) return;
      ticks++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const first = await big.putRaw(image);
    running = false;
    expect(ticks).toBeGreaterThan(0);
    const again = await new FileImageStore(await mkdtemp(join(tmpdir(), 'viwo-images-'))).putRaw(
      image,
    );
    expect(again.$image).toBe(first.$image);
    const decoded = await big.getRaw(first, 4);
    expect(Buffer.from(decoded.data).equals(Buffer.from(image.data))).toBe(true);
  });

  test('getRaw returns the stored pixels as RGBA or RGB', async () => {
    const raw = gradient(4, 3);
    const value = await store.putRaw(raw);
    const rgb = await store.getRaw(value, 3);
    expect(Array.from(rgb.data)).toEqual(Array.from(raw.data));
    const rgba = await store.getRaw(value);
    expect(rgba.channels).toBe(4);
    expect(rgba.data.length).toBe(4 * 3 * 4);
    expect(rgba.data[3]).toBe(255);
  });

  test('uploads of PNG, JPEG and WebP are re-encoded as PNG', async () => {
    const source = sharp(gradient(32, 16).data, { raw: { width: 32, height: 16, channels: 3 } });
    for (const bytes of [
      await source.clone().png().toBuffer(),
      await source.clone().jpeg().toBuffer(),
      await source.clone().webp().toBuffer(),
    ]) {
      const value = await store.putEncoded(new Uint8Array(bytes));
      expect([value.width, value.height]).toEqual([32, 16]);
      const png = await store.getPng(value.$image);
      expect((await sharp(png).metadata()).format).toBe('png');
      expect(await store.has(value.$image)).toBe(true);
    }
  });

  test('rejects corrupt, unsupported, empty and oversized images clearly', async () => {
    await expect(store.putEncoded(new Uint8Array([1, 2, 3, 4]))).rejects.toThrow(
      /not a readable image/,
    );
    await expect(store.putEncoded(new Uint8Array())).rejects.toThrow(/empty/);
    const gif = await sharp(gradient(4, 4).data, { raw: { width: 4, height: 4, channels: 3 } })
      .gif()
      .toBuffer();
    await expect(store.putEncoded(new Uint8Array(gif))).rejects.toThrow(/gif is not accepted/);
    const big = await sharp({
      create: { width: 300, height: 300, channels: 3, background: '#000' },
    })
      .png()
      .toBuffer();
    await expect(store.putEncoded(new Uint8Array(big))).rejects.toThrow(/over the limit of 65536/);
    await expect(
      store.putRaw({ data: new Uint8Array(), width: 0, height: 0, channels: 3 }),
    ).rejects.toThrow(/at least 1×1/);
    await expect(
      store.putRaw({ data: new Uint8Array(5), width: 2, height: 2, channels: 3 }),
    ).rejects.toThrow(/expected 2×2×3 = 12/);
    const png = await sharp(gradient(8, 8).data, { raw: { width: 8, height: 8, channels: 3 } })
      .png()
      .toBuffer();
    await expect(
      store.putEncoded(new Uint8Array(png.subarray(0, png.length - 30))),
    ).rejects.toThrow(/could not be decoded|not a readable image/);
  });

  test('unknown and malformed hashes are clear errors; list and delete work', async () => {
    await expect(store.getPng('0'.repeat(64))).rejects.toThrow(/not in the image store/);
    await expect(store.getPng('../etc/passwd')).rejects.toThrow(/not an image hash/);
    const value = await store.putRaw(gradient(2, 2));
    expect(await store.list()).toContain(value.$image);
    await store.delete(value.$image);
    expect(await store.has(value.$image)).toBe(false);
  });
});
