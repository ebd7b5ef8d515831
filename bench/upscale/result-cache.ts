/**
 * The result cache (issue 14, defect 3) for ESRGAN upscales: a repeated `upscale.upscale` answered
 * from the cache against the same call run fresh (`viwo run --no-cache`), through the core runtime
 * on one data dir, measured alternately in this run (the fresh run is the baseline). Also the
 * weights hash in the cache identity: unmemoised (reads every shard) against memoised (stats only).
 *
 *   bun bench/upscale/result-cache.ts [--runs N] [--models esrgan-slim,esrgan-thick]
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, type Runtime } from '@viwo/core';
import {
  createUpscalePlugin,
  discoverInstalledModels,
  readKerasModelFiles,
  weightsSha256,
} from '@viwo/plugin-upscale';
import { pairedMedians } from '../paired-medians.ts';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const index = argv.indexOf(name);
  return index >= 0 ? argv[index + 1] : undefined;
};

/** Prints, per model, a cache hit vs a fresh upscale and the weights hash cold vs memoised. */
export default async function benchUpscaleResultCache(
  runs = 5,
  modelIds = ['esrgan-slim', 'esrgan-thick'],
  scale = 4,
): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-upscale-result-cache-'));
  const models = await discoverInstalledModels();
  const runtimes: Runtime[] = [];
  const rows: string[] = [];
  try {
    for (const resultCache of [true, false]) {
      runtimes.push(
        await createRuntime({
          dataDir,
          plugins: [createUpscalePlugin({ models })],
          resultCache,
        }),
      );
    }
    const [cached, fresh] = runtimes.map((runtime) => runtime.openSession('bench'));
    for (const id of modelIds) {
      const entry = models.find((model) => model.id === id && model.scale === scale)!;
      // Unmemoised: what every call would pay reading model.json and every shard to hash them.
      let started = performance.now();
      const files = await readKerasModelFiles(entry.modelJsonPath);
      const hash = createHash('sha256').update(files.modelJson);
      for (const shard of files.shards) hash.update(shard);
      hash.digest('hex');
      const coldHash = performance.now() - started;
      await weightsSha256(entry.modelJsonPath);
      started = performance.now();
      await weightsSha256(entry.modelJsonPath);
      const warmHash = performance.now() - started;
      const png = await readFile(join(entry.packageDir, 'assets', 'fixture.png'));
      const image = await runtimes[0]!.images.putEncoded(new Uint8Array(png));
      const script = [
        'std.call_method',
        ['get_capability', 'upscale'],
        'upscale',
        image,
        { model: id, factor: scale },
      ];
      const [freshMs, hitMs] = await pairedMedians(
        runs,
        () => fresh!.executeScript(script),
        () => cached!.executeScript(script),
      );
      rows.push(
        `| ${id} ×${scale}, ${image.width}×${image.height} | ${freshMs.toFixed(1)} | ${hitMs.toFixed(2)} | ${(hitMs / freshMs).toFixed(4)}× | ${coldHash.toFixed(1)} | ${warmHash.toFixed(2)} |`,
      );
    }
  } finally {
    for (const runtime of runtimes) await runtime.dispose();
    await rm(dataDir, { recursive: true, force: true });
  }
  console.log(`\nresult cache, upscale.upscale, median of ${runs}, measured alternately`);
  console.log(
    '| model | fresh run ms (--no-cache, baseline) | cache hit ms | hit vs fresh | weights hash unmemoised ms | memoised ms |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

if (import.meta.main) {
  await benchUpscaleResultCache(
    Number(flag('--runs') ?? 5),
    (flag('--models') ?? 'esrgan-slim,esrgan-thick').split(','),
  );
}
