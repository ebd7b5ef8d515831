import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionCache } from '../src/models/session-cache.ts';
import { writeModelFolder } from '../src/tiny-models/tiny-model-files.ts';
import { tinySdModelFiles } from '../src/tiny-models/tiny-sd-model.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'viwo-cache-'));
  await writeModelFolder(join(root, 'model'), tinySdModelFiles('sd15'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

test('LRU unloading under the memory cap never releases a busy session', async () => {
  const paths = ['text_encoder', 'unet', 'vae_decoder'].map((part) =>
    join(root, 'model', part, 'model.onnx'),
  );
  const sizes = await Promise.all(
    paths.map(async (path) => Math.ceil((await stat(path)).size * 1.2)),
  );
  // Room for the two largest sessions, not for all three.
  const cap = sizes.reduce((sum, size) => sum + size, 0) - Math.min(...sizes);
  const cache = new SessionCache(cap);
  const first = await cache.acquire(paths[0]!);
  first.release();
  const second = await cache.acquire(paths[1]!);
  second.release();
  const third = await cache.acquire(paths[2]!);
  expect(cache.usedBytes).toBeLessThanOrEqual(cap);
  expect(cache.keys()).not.toContain(paths[0]!);
  expect(cache.keys()).toContain(paths[2]!);
  // Busy: held while a bigger set is requested, so it stays even over the cap.
  const again = await cache.acquire(paths[0]!);
  expect(cache.keys()).toContain(paths[2]!);
  third.release();
  again.release();
  await cache.clear();
  expect(cache.keys()).toEqual([]);
});

test('missing and corrupt model files fail with the path', async () => {
  const cache = new SessionCache();
  await expect(cache.acquire(join(root, 'nope.onnx'))).rejects.toThrow(
    /model file missing: .*nope\.onnx/,
  );
  const corrupt = join(root, 'corrupt.onnx');
  await Bun.write(corrupt, 'not a model');
  await expect(cache.acquire(corrupt)).rejects.toThrow(/cannot load ONNX model .*corrupt\.onnx/);
});
