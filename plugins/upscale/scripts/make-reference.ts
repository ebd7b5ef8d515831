/**
 * Produces the committed fidelity references: a 32×32 crop of esrgan-slim's fixture and, for
 * each model/scale the fidelity test covers, the TF.js (wasm backend, 4.11) output as a PNG.
 *
 *   bun plugins/upscale/scripts/make-reference.ts
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { discoverInstalledModels } from '../src/converter/model-catalog.ts';
import { loadTfjsUpscaler } from './tfjs-reference.ts';

/** The cases the fidelity test checks: slim and medium at every scale, thick at ×4. */
export const REFERENCE_CASES = [
  ...[2, 3, 4, 8].flatMap((scale) => [
    { model: 'esrgan-slim', scale },
    { model: 'esrgan-medium', scale },
  ]),
  { model: 'esrgan-thick', scale: 4 },
] as const;

const fixtures = join(import.meta.dir, '..', 'test', 'fixtures');

if (import.meta.main) {
  const models = await discoverInstalledModels();
  const slim = models.find((entry) => entry.id === 'esrgan-slim');
  if (!slim) throw new Error('@upscalerjs/esrgan-slim is not installed');
  await mkdir(join(fixtures, 'reference'), { recursive: true });
  const inputPath = join(fixtures, 'input-32.png');
  await sharp(join(slim.packageDir, 'assets', 'fixture.png'))
    .removeAlpha()
    .extract({ left: 40, top: 40, width: 32, height: 32 })
    .png()
    .toFile(inputPath);
  const input = await sharp(inputPath).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  for (const { model, scale } of REFERENCE_CASES) {
    const entry = models.find((candidate) => candidate.id === model && candidate.scale === scale);
    if (!entry) throw new Error(`${model} ×${scale} is not installed`);
    const upscaler = await loadTfjsUpscaler(entry);
    const started = performance.now();
    const output = upscaler.predict(
      new Uint8Array(input.data),
      input.info.width,
      input.info.height,
    );
    const elapsed = performance.now() - started;
    upscaler.dispose();
    const bytes = Uint8Array.from(output, (value) => Math.round(value));
    const size = input.info.width * scale;
    await sharp(bytes, { raw: { width: size, height: input.info.height * scale, channels: 3 } })
      .png({ compressionLevel: 9 })
      .toFile(join(fixtures, 'reference', `${model}-x${scale}.png`));
    console.log(`${model} ×${scale}: ${size}×${size} in ${elapsed.toFixed(0)} ms`);
  }
}
