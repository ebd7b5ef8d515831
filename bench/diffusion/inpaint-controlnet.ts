/**
 * Issue-6 methods and regional prompts (issue 17) against plain text-to-image on the same tiny SD 1.x weights, through the core
 * runtime (what a script pays): inpaint (4-channel re-noising and 9-channel UNet), outpaint, and
 * ControlNet with one and two controls. The baseline `textToImage` is measured in the same run;
 * the table reports ratios to it. Medians after one warm-up call.
 *
 *   bun bench/diffusion/inpaint-controlnet.ts [--runs N]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, type ImageValue } from '@viwo/core';
import { createDiffusersPlugin } from '@viwo/plugin-diffusers';

const SIZE = 256;
const STEPS = 8;

/** Runs the comparison and prints a markdown table (ms per call and ratio to txt2img). */
export default async function benchInpaintControlnet(runs = 3): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'viwo-bench-issue6-'));
  // The result cache would answer every repeat of these seeded calls: measure the work itself.
  const runtime = await createRuntime({
    dataDir,
    plugins: [createDiffusersPlugin()],
    resultCache: false,
  });
  const session = runtime.openSession('bench');
  try {
    const call = async (capability: string, method: string, ...args: unknown[]) =>
      (
        await session.executeScript(
          ['std.call_method', ['get_capability', capability], method, ...args],
          { gas: 1_000_000 },
        )
      ).result as ImageValue;
    const base = { seed: 1, steps: STEPS };
    const source = await call('diffusers.generate', 'textToImage', 'a harbour', {
      ...base,
      width: SIZE,
      height: SIZE,
    });
    const maskData = new Uint8Array(SIZE * SIZE * 3);
    for (let row = SIZE / 4; row < (SIZE * 3) / 4; row++)
      maskData.fill(255, (row * SIZE + SIZE / 4) * 3, (row * SIZE + (SIZE * 3) / 4) * 3);
    const mask = await runtime.images.putRaw({
      data: maskData,
      width: SIZE,
      height: SIZE,
      channels: 3,
    });
    const cases: [string, () => Promise<unknown>][] = [
      [
        'textToImage (baseline)',
        () =>
          call('diffusers.generate', 'textToImage', 'a boat', {
            ...base,
            width: SIZE,
            height: SIZE,
          }),
      ],
      [
        'inpaint, 4-channel UNet',
        () => call('diffusers.inpaint', 'inpaint', source, mask, 'a boat', base),
      ],
      [
        'inpaint, 9-channel UNet',
        () =>
          call('diffusers.inpaint', 'inpaint', source, mask, 'a boat', {
            ...base,
            model_id: 'tiny-sd15-inpaint',
          }),
      ],
      [
        `outpaint right +${SIZE / 4}px`,
        () => call('diffusers.inpaint', 'outpaint', source, 'right', SIZE / 4, 'a boat', base),
      ],
      [
        'ControlNet, 1 control (canny)',
        () => call('controlnet.generate', 'apply', source, 'a boat', 'canny', 1, base),
      ],
      [
        'textToImage + 1 region',
        () =>
          call('diffusers.generate', 'textToImage', 'a boat', {
            ...base,
            width: SIZE,
            height: SIZE,
            regions: [{ mask, prompt: 'a lighthouse' }],
          }),
      ],
      [
        'textToImage + 2 regions (one with its own negative)',
        () =>
          call('diffusers.generate', 'textToImage', 'a boat', {
            ...base,
            width: SIZE,
            height: SIZE,
            regions: [
              { mask, prompt: 'a lighthouse' },
              { mask, prompt: 'a storm', negative_prompt: 'sun', strength: 0.5 },
            ],
          }),
      ],
      [
        'ControlNet, 2 controls',
        () =>
          call('controlnet.generate', 'apply', source, 'a boat', 'canny', 1, {
            ...base,
            controls: [{ image: source, type: 'softedge', strength: 0.5 }],
          }),
      ],
    ];
    const medians: [string, number][] = [];
    for (const [label, run] of cases) {
      await run(); // warm-up: session creation and first-run allocation
      const times: number[] = [];
      for (let index = 0; index < runs; index++) {
        const started = performance.now();
        await run();
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      medians.push([label, times[Math.floor(times.length / 2)]!]);
    }
    const baseline = medians[0]![1];
    console.log(
      `\nissue-6 methods, tiny SD 1.x, ${SIZE}×${SIZE}, ${STEPS} steps, median of ${runs} (ms per call)`,
    );
    console.log('| method | ms | vs textToImage |');
    console.log('|---|---|---|');
    for (const [label, ms] of medians) {
      console.log(`| ${label} | ${ms.toFixed(1)} | ${(ms / baseline).toFixed(2)}× |`);
    }
  } finally {
    session.close();
    await runtime.dispose();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const index = process.argv.indexOf('--runs');
  await benchInpaintControlnet(index >= 0 ? Number(process.argv[index + 1]) : 3);
}
