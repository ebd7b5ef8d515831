import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertCommand } from '../src/convert-command.ts';
import { ensureConvertedModel } from '../src/converter/model-cache.ts';
import { discoverInstalledModels, type UpscaleModelEntry } from '../src/converter/model-catalog.ts';
import { SessionPool } from '../src/runner/session-pool.ts';

let dataDir: string;
let models: UpscaleModelEntry[];
let slim2: UpscaleModelEntry;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'upscale-cache-'));
  models = await discoverInstalledModels();
  slim2 = models.find((entry) => entry.id === 'esrgan-slim' && entry.scale === 2)!;
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('model catalog', () => {
  test('finds every installed package and scale with ranges from the model definitions', () => {
    const offered = models.map((entry) => `${entry.id}x${entry.scale}`).sort();
    expect(offered).toEqual(
      ['default', 'esrgan-medium', 'esrgan-slim', 'esrgan-thick']
        .flatMap((id) =>
          id === 'default' ? ['defaultx2'] : [2, 3, 4, 8].map((scale) => `${id}x${scale}`),
        )
        .sort(),
    );
    const thick = models.find((entry) => entry.id === 'esrgan-thick')!;
    expect(thick.inputRange).toEqual([0, 1]);
    expect(thick.outputRange).toEqual([0, 1]);
    expect(slim2.inputRange).toEqual([0, 255]);
  });
});

describe('converted-model cache', () => {
  test('converts once, keyed by weights hash, then reuses the cache', async () => {
    const first = await ensureConvertedModel(slim2, dataDir);
    expect(first.converted).toBe(true);
    expect(first.path).toMatch(/models\/upscale\/esrgan-slim-x2-[0-9a-f]{16}\.onnx$/);
    const second = await ensureConvertedModel(slim2, dataDir);
    expect(second.converted).toBe(false);
    expect(second.path).toBe(first.path);
    expect(second.info).toEqual(first.info);
  });

  test('a corrupt, truncated or unverified cache file is rebuilt, never used', async () => {
    const { path } = await ensureConvertedModel(slim2, dataDir);
    const good = await readFile(path);
    const warnings: string[] = [];
    const log = (_level: string, message: string) => warnings.push(message);

    const corrupt = Buffer.from(good);
    corrupt[corrupt.length >> 1]! ^= 0xff;
    await writeFile(path, corrupt);
    expect((await ensureConvertedModel(slim2, dataDir, log)).converted).toBe(true);
    expect(warnings.at(-1)).toMatch(/checksum does not match/);
    expect(await readFile(path)).toEqual(good);

    await truncate(path, 1000);
    expect((await ensureConvertedModel(slim2, dataDir, log)).converted).toBe(true);
    expect(warnings.at(-1)).toMatch(/truncated/);
    expect((await stat(path)).size).toBe(good.length);

    await rm(`${path}.json`);
    expect((await ensureConvertedModel(slim2, dataDir, log)).converted).toBe(true);
    expect(warnings.at(-1)).toMatch(/sidecar is missing/);

    await writeFile(`${path}.json`, '{"half');
    expect((await ensureConvertedModel(slim2, dataDir, log)).converted).toBe(true);
    expect(warnings.at(-1)).toMatch(/unreadable/);
  });

  test('concurrent first uses share one conversion', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'upscale-cache-race-'));
    try {
      const results = await Promise.all([
        ensureConvertedModel(slim2, directory),
        ensureConvertedModel(slim2, directory),
      ]);
      expect(results[0]).toBe(results[1]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  test('convertCommand converts selected models and rejects unknown ones', async () => {
    const lines: string[] = [];
    const summaries = await convertCommand(['esrgan-slim', '--factor', '2'], {
      dataDir,
      log: (line) => lines.push(line),
      models,
    });
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ model: 'esrgan-slim', scale: 2, converted: false });
    expect(lines).toEqual([]);
    await expect(
      convertCommand(['esrgan-huge'], { dataDir, log: () => {}, models }),
    ).rejects.toThrow(/unknown upscale model 'esrgan-huge'/);
    await expect(
      convertCommand(['--frobnicate'], { dataDir, log: () => {}, models }),
    ).rejects.toThrow(/unknown flag --frobnicate/);
  });
});

describe('session pool', () => {
  test('reuses a loaded session and unloads it when idle', async () => {
    const { path } = await ensureConvertedModel(slim2, dataDir);
    const pool = new SessionPool({ idleUnloadMs: 20, threads: 1 });
    const first = await pool.use(path, async (session) => session);
    const second = await pool.use(path, async (session) => session);
    expect(second).toBe(first);
    expect(pool.loadedModels()).toEqual([path]);
    await Bun.sleep(100);
    expect(pool.loadedModels()).toEqual([]);
    const third = await pool.use(path, async (session) => session);
    expect(third).not.toBe(first);
    await pool.unloadIdle();
  });
});
