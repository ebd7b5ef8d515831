import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverInstalledModels, type UpscaleModelEntry } from '../src/converter/model-catalog.ts';
import { EsrganUpscaler } from '../src/esrgan-upscaler.ts';
import { psnr, readRgb } from './support/psnr.ts';

// References: test/fixtures/reference/*.png were produced by scripts/make-reference.ts with
// TF.js 4.11 (wasm backend) running the same weights the way UpscalerJS does.
const REFERENCE_CASES = [
  ...[2, 3, 4, 8].flatMap((scale) => [
    { model: 'esrgan-slim', scale },
    { model: 'esrgan-medium', scale },
  ]),
  { model: 'esrgan-thick', scale: 4 },
];
const fixtures = join(import.meta.dir, 'fixtures');

let dataDir: string;
let models: UpscaleModelEntry[];
let upscaler: EsrganUpscaler;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'upscale-fidelity-'));
  models = await discoverInstalledModels();
  // One session per model keeps memory low on a shared machine; tiles are off (one pass).
  upscaler = await EsrganUpscaler.create({ dataDir, models, idleUnloadMs: 1, threads: 2 });
});

afterAll(async () => {
  await upscaler.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

describe('fidelity against the TF.js reference (≥ 45 dB PSNR)', () => {
  for (const { model, scale } of REFERENCE_CASES) {
    test(`${model} ×${scale}`, async () => {
      const input = await readRgb(join(fixtures, 'input-32.png'));
      const reference = await readRgb(join(fixtures, 'reference', `${model}-x${scale}.png`));
      const result = await upscaler.upscale(input, { model, factor: scale, tileSize: 2048 });
      expect(result.tiling.tiles).toBe(1);
      expect(psnr(result.image, reference)).toBeGreaterThanOrEqual(45);
    });
  }
});

describe("fidelity against each package's own fixture → sample pair", () => {
  const samples: Record<string, number[]> = {
    'esrgan-slim': [2, 3, 4],
    'esrgan-medium': [2, 3, 4],
    'esrgan-thick': [2, 3, 4, 8],
    default: [2],
  };
  for (const [model, scales] of Object.entries(samples)) {
    for (const scale of scales) {
      test(`${model} ×${scale}`, async () => {
        const entry = models.find(
          (candidate) => candidate.id === model && candidate.scale === scale,
        );
        if (!entry) throw new Error(`${model} ×${scale} is not installed`);
        const fixture = await readRgb(join(entry.packageDir, 'assets', 'fixture.png'));
        const expected = await readRgb(
          join(entry.packageDir, 'assets', 'samples', `${scale}x`, 'result.png'),
        );
        const result = await upscaler.upscale(fixture, { model, factor: scale, tileSize: 2048 });
        expect(psnr(result.image, expected)).toBeGreaterThanOrEqual(45);
      });
    }
  }
});
