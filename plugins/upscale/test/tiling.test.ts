import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { discoverInstalledModels } from '../src/converter/model-catalog.ts';
import { EsrganUpscaler } from '../src/esrgan-upscaler.ts';
import {
  featherRamp,
  MAX_TILE_SIZE,
  MIN_TILE_SIZE,
  planTiles,
  tileSizeForMemoryCap,
} from '../src/runner/tiling.ts';
import { psnr, readRgb } from './support/psnr.ts';

describe('tile planning', () => {
  test('tiles cover every pixel, stay inside the image and overlap by at least the overlap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 40, max: 300 }),
        (width, height, tileSize) => {
          const overlap = 16;
          const plan = planTiles(width, height, tileSize, overlap);
          const covered = new Uint8Array(width * height);
          for (const tile of plan.tiles) {
            expect(tile.x).toBeGreaterThanOrEqual(0);
            expect(tile.y).toBeGreaterThanOrEqual(0);
            expect(tile.x + tile.width).toBeLessThanOrEqual(width);
            expect(tile.y + tile.height).toBeLessThanOrEqual(height);
            for (let y = tile.y; y < tile.y + tile.height; y++)
              covered.fill(1, y * width + tile.x, y * width + tile.x + tile.width);
          }
          expect(covered.every((value) => value === 1)).toBe(true);
          const xs = [...new Set(plan.tiles.map((tile) => tile.x))].sort((a, b) => a - b);
          for (let index = 1; index < xs.length; index++) {
            expect(xs[index - 1]! + Math.min(tileSize, width) - xs[index]!).toBeGreaterThanOrEqual(
              overlap,
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  test('an image that fits is one tile', () => {
    expect(planTiles(100, 80, 128).tiles).toEqual([{ x: 0, y: 0, width: 100, height: 80 }]);
  });

  test('tile size follows the memory cap, clamped', () => {
    expect(tileSizeForMemoryCap(1024 * 1024 * 1024, 768)).toBe(
      Math.floor(Math.sqrt((1024 * 1024 * 1024) / (768 * 12))),
    );
    expect(tileSizeForMemoryCap(1, 768)).toBe(MIN_TILE_SIZE);
    expect(tileSizeForMemoryCap(1e15, 1)).toBe(MAX_TILE_SIZE);
    expect(tileSizeForMemoryCap(64 * 1024 * 1024, 768)).toBeLessThan(
      tileSizeForMemoryCap(64 * 1024 * 1024, 192),
    );
  });

  test('feather ramps only on sides with a neighbour', () => {
    expect([...featherRamp(4, 2, false, false)]).toEqual([1, 1, 1, 1]);
    const ramp = featherRamp(6, 4, true, false);
    expect(ramp[0]).toBeCloseTo(0.125);
    expect(ramp[5]).toBe(1);
  });
});

describe('tiled ESRGAN run', () => {
  let dataDir: string;
  let upscaler: EsrganUpscaler;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'upscale-tiling-'));
    upscaler = await EsrganUpscaler.create({
      dataDir,
      models: await discoverInstalledModels(),
      threads: 2,
    });
  });

  afterAll(async () => {
    await upscaler.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('tiled output matches the untiled run (≥ 40 dB), with progress per tile', async () => {
    const entry = upscaler.resolve('esrgan-slim', 2);
    const fixture = await readRgb(join(entry.packageDir, 'assets', 'fixture.png'));
    const untiled = await upscaler.upscale(fixture, {
      model: 'esrgan-slim',
      factor: 2,
      tileSize: 2048,
    });
    const steps: number[] = [];
    const tiled = await upscaler.upscale(fixture, {
      model: 'esrgan-slim',
      factor: 2,
      tileSize: 64,
      onTile: (done, total) => steps.push(done / total),
    });
    expect(tiled.tiling.tiles).toBe(9);
    expect(steps).toHaveLength(9);
    expect(steps.at(-1)).toBe(1);
    const seamPsnr = psnr(tiled.image, untiled.image);
    expect(seamPsnr).toBeGreaterThanOrEqual(40);
    expect(seamPsnr).toBeLessThan(Number.POSITIVE_INFINITY);
  });

  test('a memory cap picks smaller tiles for the same image', async () => {
    const entry = upscaler.resolve('esrgan-slim', 2);
    const fixture = await readRgb(join(entry.packageDir, 'assets', 'fixture.png'));
    const capped = await EsrganUpscaler.create({
      dataDir,
      models: [entry],
      memoryCapBytes: 16 * 1024 * 1024,
      threads: 2,
    });
    try {
      const { info } = await capped.prepare(entry);
      const tileSize = tileSizeForMemoryCap(16 * 1024 * 1024, info.peakElementsPerInputPixel);
      expect(tileSize).toBeLessThan(128);
      const result = await capped.upscale(fixture, { model: 'esrgan-slim', factor: 2 });
      expect(result.tiling.tile_size).toBe(tileSize);
      expect(result.tiling.tiles).toBeGreaterThan(1);
      const untiled = await upscaler.upscale(fixture, {
        model: 'esrgan-slim',
        factor: 2,
        tileSize: 2048,
      });
      expect(psnr(result.image, untiled.image)).toBeGreaterThanOrEqual(40);
    } finally {
      await capped.dispose();
    }
  });

  test('cancellation lands between tiles', async () => {
    const entry = upscaler.resolve('esrgan-slim', 2);
    const fixture = await readRgb(join(entry.packageDir, 'assets', 'fixture.png'));
    const controller = new AbortController();
    let tilesRun = 0;
    const run = upscaler.upscale(fixture, {
      model: 'esrgan-slim',
      factor: 2,
      tileSize: 48,
      signal: controller.signal,
      onTile: () => {
        tilesRun++;
        if (tilesRun === 2) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'Cancelled' });
    expect(tilesRun).toBe(2);
  });
});
