/**
 * Canvas benchmark: the pure-TypeScript rasteriser of `@viwo/canvas` (what runs in the browser and
 * in server-side canvas opcodes) against libvips through sharp doing the same work natively, both
 * measured in this run as medians after warm-up:
 *   - stroke: a 64-point round brush polyline (size 32) on a 1024² RGBA surface, against sharp
 *     rasterising the same polyline as SVG (librsvg) to raw RGBA;
 *   - composite: four 1024² layers at 50 % opacity flattened source-over, against sharp's
 *     `composite` of the same four raw buffers (premultiplied in libvips) to raw RGBA.
 * Ratios above 1 mean ours is slower than the native baseline.
 *
 *   bun bench/canvas/index.ts [--runs N]
 */
import { CanvasState, canvasScript, record, scriptToLayers } from '@viwo/canvas';
import sharp from 'sharp';

const argv = process.argv.slice(2);
const runsFlag = argv.indexOf('--runs');
const runs = runsFlag >= 0 ? Number(argv[runsFlag + 1]) : 7;
const side = 1024;

const points: Array<[number, number]> = Array.from({ length: 64 }, (_, index) => [
  Math.round(64 + (index / 63) * (side - 128)),
  Math.round(side / 2 + Math.sin(index / 5) * (side / 3)),
]);

async function median(work: () => unknown): Promise<number> {
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

function strokeOurs(): void {
  const state = new CanvasState();
  state.init(side, side, null);
  state.createLayer('a', 'A', 'raster');
  state.drawStroke('a', points, '#3366cc', 32, 'brush', 1);
}

const svg = Buffer.from(
  `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}">` +
    `<polyline points="${points.map(([x, y]) => `${x},${y}`).join(' ')}" fill="none" ` +
    'stroke="#3366cc" stroke-width="32" stroke-linecap="round" stroke-linejoin="round"/></svg>',
);
const strokeSharp = () => sharp(svg).ensureAlpha().raw().toBuffer();

const layerScript = canvasScript([
  record.init(side, side),
  ...[0, 1, 2, 3].flatMap((index) => [
    record.createLayer(`l${index}`, `L${index}`, 'raster', { opacity: 0.5 }),
    record.stroke(
      `l${index}`,
      points,
      ['#ff0000', '#00ff00', '#0000ff', '#ffffff'][index]!,
      200,
      'brush',
    ),
  ]),
]);
const layered = scriptToLayers(layerScript).state;
const compositeOurs = () => layered.composite();

const layerBuffers = layered.layers.map((layer) => {
  // The same pixels with opacity folded into alpha, which is what sharp's composite blends.
  const data = Buffer.from(layer.surface.data);
  for (let offset = 3; offset < data.length; offset += 4)
    data[offset] = Math.round(data[offset]! * layer.opacity);
  return data;
});
const raw = { width: side, height: side, channels: 4 as const };
const compositeSharp = () =>
  sharp({ create: { ...raw, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite(layerBuffers.map((input) => ({ input, raw })))
    .raw()
    .toBuffer();

const rows: Array<[string, number, number]> = [
  ['stroke 64 pts, size 32, 1024²', await median(strokeOurs), await median(strokeSharp)],
  ['composite 4 layers, 1024²', await median(compositeOurs), await median(compositeSharp)],
];

console.log(`canvas benchmark (median of ${runs} runs after warm-up)`);
console.log('| case | @viwo/canvas ms | sharp/libvips ms | ratio ours/sharp |');
console.log('|---|---:|---:|---:|');
for (const [name, ours, baseline] of rows) {
  console.log(
    `| ${name} | ${ours.toFixed(1)} | ${baseline.toFixed(1)} | ${(ours / baseline).toFixed(2)} |`,
  );
}
