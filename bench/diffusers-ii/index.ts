/**
 * ControlNet preprocessor benchmark: our pure-TypeScript canny / scribble / softedge on a 512×512
 * RGB image, as ratios to a baseline measured in the same run — sharp (libvips, native) computing
 * greyscale + one 3×3 Sobel convolution of the same image. Canny does far more (Gaussian blur, two
 * Sobel passes, non-maximum suppression, hysteresis), so the ratio is an upper bound on overhead.
 * Also the inpaint composite (mask blur 8 + exact paste-back) against the same baseline. Medians.
 *
 *   bun bench/diffusers-ii/index.ts [--runs N]
 */
import sharp from 'sharp';
import {
  buildInpaintMask,
  compositeWithMask,
} from '../../plugins/diffusers/src/inpaint/inpaint-mask.ts';
import {
  PREPROCESSOR_TYPES,
  preprocessImage,
} from '../../plugins/diffusers/src/preprocessors/preprocess-image.ts';

const argv = process.argv.slice(2);
const runsIndex = argv.indexOf('--runs');
const runs = runsIndex >= 0 ? Number(argv[runsIndex + 1]) : 9;
const size = 512;

// A deterministic test picture: shapes and gradients so every stage has real work.
const data = new Uint8Array(size * size * 3);
for (let y = 0; y < size; y++) {
  for (let x = 0; x < size; x++) {
    const inside = (x - 256) ** 2 + (y - 256) ** 2 < 120 ** 2 || (x > 40 && x < 160 && y > 300);
    const offset = (y * size + x) * 3;
    data[offset] = inside ? 220 : (x * 255) / size;
    data[offset + 1] = inside ? 40 : (y * 255) / size;
    data[offset + 2] = ((x ^ y) & 31) * 4;
  }
}
const image = { data, width: size, height: size, channels: 3 as const };
const maskData = new Uint8Array(size * size);
for (let y = 128; y < 384; y++) maskData.fill(255, y * size + 128, y * size + 384);
const mask = { data: maskData, width: size, height: size, channels: 1 as const };

async function median(work: () => unknown | Promise<unknown>): Promise<number> {
  await work();
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const baseline = await median(() =>
  sharp(Buffer.from(data), { raw: { width: size, height: size, channels: 3 } })
    .greyscale()
    .convolve({ width: 3, height: 3, kernel: [-1, 0, 1, -2, 0, 2, -1, 0, 1] })
    .raw()
    .toBuffer(),
);
const rows: [string, number][] = [['sharp greyscale + Sobel (baseline)', baseline]];
for (const type of PREPROCESSOR_TYPES) {
  rows.push([`${type} 512×512`, await median(() => preprocessImage(image, type))]);
}
rows.push([
  'inpaint mask blur 8 + composite',
  await median(async () => {
    const prepared = await buildInpaintMask(mask, 8);
    return compositeWithMask(image, image, prepared);
  }),
]);
console.log(`diffusers-ii preprocessors, ${size}×${size}, median of ${runs}`);
console.log('| case | ms | ratio to baseline |');
console.log('|---|---:|---:|');
for (const [name, ms] of rows)
  console.log(`| ${name} | ${ms.toFixed(2)} | ${(ms / baseline).toFixed(2)} |`);
