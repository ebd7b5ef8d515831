/**
 * The result cache (issue 14, defect 3): a seeded inpaint answered from the cache against the same
 * call run fresh (`viwo run --no-cache`), both through the core runtime on one data dir, measured
 * alternately in this run. The fresh run is the baseline; the table gives the hit's share of it.
 *
 *   bun bench/diffusion/result-cache.ts [--runs N]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, type Runtime } from '@viwo/core';
import { createDiffusersPlugin } from '@viwo/plugin-diffusers';
import { pairedMedians } from '../paired-medians.ts';

const SIZE = 256;
const STEPS = 8;

/** Prints one row: a cache hit of `diffusers.inpaint.inpaint` vs the same call run fresh. */
export default async function benchResultCache(runs = 5): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'viwo-bench-result-cache-'));
  const runtimes: Runtime[] = [];
  try {
    for (const resultCache of [true, false]) {
      runtimes.push(
        await createRuntime({ dataDir, plugins: [createDiffusersPlugin()], resultCache }),
      );
    }
    const [cached, fresh] = runtimes.map((runtime) => runtime.openSession('bench'));
    const maskData = new Uint8Array(SIZE * SIZE * 3);
    for (let row = SIZE / 4; row < (SIZE * 3) / 4; row++)
      maskData.fill(255, (row * SIZE + SIZE / 4) * 3, (row * SIZE + (SIZE * 3) / 4) * 3);
    const mask = await runtimes[0]!.images.putRaw({
      data: maskData,
      width: SIZE,
      height: SIZE,
      channels: 3,
    });
    const source = (
      await fresh!.executeScript([
        'std.call_method',
        ['get_capability', 'diffusers.generate'],
        'textToImage',
        'a harbour',
        { seed: 1, steps: STEPS, width: SIZE, height: SIZE },
      ])
    ).result;
    const script = [
      'std.call_method',
      ['get_capability', 'diffusers.inpaint'],
      'inpaint',
      source,
      mask,
      'a boat',
      { seed: 2, steps: STEPS },
    ];
    const [freshMs, hitMs] = await pairedMedians(
      runs,
      () => fresh!.executeScript(script),
      () => cached!.executeScript(script),
    );
    console.log(
      `\nresult cache, diffusers.inpaint (tiny SD 1.x, ${SIZE}×${SIZE}, ${STEPS} steps), median of ${runs}, measured alternately`,
    );
    console.log('| call | ms | vs fresh run |');
    console.log('|---|---|---|');
    console.log(`| fresh run (--no-cache, baseline) | ${freshMs.toFixed(1)} | 1.00× |`);
    console.log(`| cache hit | ${hitMs.toFixed(2)} | ${(hitMs / freshMs).toFixed(4)}× |`);
  } finally {
    for (const runtime of runtimes) await runtime.dispose();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const index = process.argv.indexOf('--runs');
  await benchResultCache(index >= 0 ? Number(process.argv[index + 1]) : 5);
}
