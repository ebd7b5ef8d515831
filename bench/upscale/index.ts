/**
 * Upscale benchmark: our end-to-end ESRGAN upscale (decode PNG, tile, run, blend, encode PNG)
 * against (1) a bare `session.run` on the same input tensor — our overhead — and (2) UpscalerJS's
 * execution path on TF.js 4.11 wasm (SIMD; the best TF.js backend that installs here) on the same
 * weights and image. Everything is measured in this run, after warm-up, as medians.
 *
 *   bun bench/upscale/index.ts [--runs N] [--models esrgan-slim,esrgan-medium,esrgan-thick]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileImageStore } from '@viwo/core';
import {
  discoverInstalledModels,
  EsrganUpscaler,
  ONNX_INPUT_NAME,
  type PixelImage,
} from '@viwo/plugin-upscale';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { loadTfjsUpscaler } from '../../plugins/upscale/scripts/tfjs-reference.ts';
import { pairedMedians } from '../paired-medians.ts';
import benchUpscaleResultCache from './result-cache.ts';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const index = argv.indexOf(name);
  return index >= 0 ? argv[index + 1] : undefined;
};
const runs = Number(flag('--runs') ?? 9);
const modelIds = (flag('--models') ?? 'esrgan-slim,esrgan-medium,esrgan-thick').split(',');
const scale = Number(flag('--scale') ?? 4);

async function median(times: number, work: () => Promise<unknown> | unknown): Promise<number> {
  await work(); // warm-up: onnxruntime and TF.js are several times slower on the first runs
  const samples: number[] = [];
  for (let run = 0; run < times; run++) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

const dataDir = await mkdtemp(join(tmpdir(), 'bench-upscale-'));
const store = new FileImageStore(dataDir);
const models = await discoverInstalledModels();
const upscaler = await EsrganUpscaler.create({ dataDir, models, idleUnloadMs: 0 });
const rows: string[][] = [];

try {
  for (const id of modelIds) {
    const entry = upscaler.resolve(id, scale);
    const png = await readFile(join(entry.packageDir, 'assets', 'fixture.png'));
    const decoded = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const { width, height } = decoded.info;
    const rgb = new Uint8Array(decoded.data);

    // Bare session.run on the same tensor our runner builds (one tile covers 128×128), on the
    // same pooled session the pipeline uses, so both see the same thread pool state.
    await upscaler.prepare(entry);
    const planar = new Float32Array(width * height * 3);
    for (let pixel = 0; pixel < width * height; pixel++) {
      for (let channel = 0; channel < 3; channel++)
        planar[channel * width * height + pixel] = rgb[pixel * 3 + channel]!;
    }
    const tensor = new ort.Tensor('float32', planar, [1, 3, height, width]);
    const bareRun = () =>
      upscaler.withSession(id, scale, (session) => session.run({ [ONNX_INPUT_NAME]: tensor }));

    // End to end: decode the PNG, tile/run/blend, then store the result PNG in the image store.
    let tiles = 0;
    const encodeTimes: number[] = [];
    const endToEndRun = async () => {
      const input = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const image: PixelImage = { data: new Uint8Array(input.data), width, height, channels: 3 };
      const result = await upscaler.upscale(image, { model: id, factor: scale });
      tiles = result.tiling.tiles;
      // Stored exactly as a job stores it: the image store's PNG encode, text chunk, hash, write.
      const encodeStarted = performance.now();
      await store.putRaw(result.image, { parameters: `upscaled ${id} x${scale}` });
      encodeTimes.push(performance.now() - encodeStarted);
    };
    // Alternate the two so load from other processes on this shared machine hits both alike.
    const [bare, endToEnd] = await pairedMedians(runs, bareRun, endToEndRun);
    const encode = encodeTimes.sort((a, b) => a - b)[Math.floor(encodeTimes.length / 2)]!;
    await upscaler.dispose();

    // UpscalerJS path on TF.js wasm, same weights and pixels (fewer runs: it is much slower).
    const tfjs = await loadTfjsUpscaler(entry);
    const reference = await median(Math.max(1, Math.min(runs, 3)), () =>
      tfjs.predict(rgb, width, height),
    );
    tfjs.dispose();

    rows.push([
      `${id} ×${scale}`,
      `${width}×${height}`,
      String(tiles),
      bare.toFixed(1),
      endToEnd.toFixed(1),
      encode.toFixed(1),
      reference.toFixed(1),
      (endToEnd / bare).toFixed(3),
      ((endToEnd - encode) / bare).toFixed(3),
      (reference / endToEnd).toFixed(2),
    ]);
  }
} finally {
  await upscaler.dispose();
  await rm(dataDir, { recursive: true, force: true });
}

const header = [
  'model',
  'input',
  'tiles',
  'bare run ms',
  'ours e2e ms',
  'of which PNG encode ms',
  'tfjs-wasm ms',
  'e2e/bare (≤1.15)',
  'e2e w/o encode/bare',
  'tfjs/ours (×faster)',
];
const widths = header.map((title, column) =>
  Math.max(title.length, ...rows.map((row) => row[column]!.length)),
);
const line = (cells: string[]) =>
  `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
console.log(
  `median of ${runs} runs after warm-up; onnxruntime ${ort.env.versions.common}, provider ${process.env.VIWO_EP ?? 'cpu'}`,
);
console.log(line(header));
console.log(line(widths.map((width) => '-'.repeat(width))));
for (const row of rows) console.log(line(row));

// A result-cache hit against the same upscale run fresh, in the same run.
await benchUpscaleResultCache(Math.max(3, Math.min(runs, 5)), modelIds, scale);
