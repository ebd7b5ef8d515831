/**
 * Diffusion benchmark: per-step time of our denoise loop split into UNet session time vs
 * everything else (scheduler math, guidance, tensor copies, hooks), for 64×64 latents (512×512
 * images) with the tiny UNet, against a bare `session.run` loop on prebuilt tensors measured in
 * the same run. Target: non-model overhead ≤ 2 ms per step. Also reports one-off costs
 * (tokenizer, text encoder, VAE decode). Medians after warm-up.
 *
 *   bun bench/diffusion/index.ts [--runs N] [--steps N]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CounterNormalRng,
  createScheduler,
  decodeLatents,
  denoise,
  encodePrompts,
  floatTensor,
  ModelRegistry,
  ModelSessions,
  SessionCache,
  StableDiffusionPipeline,
  stepNoiseFrom,
  timestepTensor,
} from '@viwo/plugin-diffusers';
import benchInpaintControlnet from './inpaint-controlnet.ts';
import benchResultCache from './result-cache.ts';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const index = argv.indexOf(name);
  return index >= 0 ? argv[index + 1] : undefined;
};
const runs = Number(flag('--runs') ?? 7);
const steps = Number(flag('--steps') ?? 20);
const latentSize = 64;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

const dataDir = await mkdtemp(join(tmpdir(), 'viwo-bench-diffusion-'));
try {
  const registry = new ModelRegistry(dataDir);
  await registry.init();
  const model = registry.get('tiny-sd15');
  const cache = new SessionCache();
  const pipeline = new StableDiffusionPipeline(registry, cache);
  const sessions = await ModelSessions.open(model, cache);
  const tokenizer = await pipeline.tokenizers.get(model);
  const plane = 4 * latentSize * latentSize;
  const signal = new AbortController().signal;

  const tokenizeTimes: number[] = [];
  const encodeTimes: number[] = [];
  const decodeTimes: number[] = [];
  for (let run = 0; run < runs + 2; run++) {
    let started = performance.now();
    tokenizer.encode(`a photo of a red cat in the forest, run ${run}`);
    tokenizeTimes.push(performance.now() - started);
    started = performance.now();
    await encodePrompts(sessions.textEncoder, tokenizer, ['', 'a photo of a red cat']);
    encodeTimes.push(performance.now() - started);
    started = performance.now();
    await decodeLatents(
      sessions.vaeDecoder,
      new CounterNormalRng(run).normals(plane),
      latentSize,
      latentSize,
      model.scalingFactor,
    );
    decodeTimes.push(performance.now() - started);
  }
  const embeddings = await encodePrompts(sessions.textEncoder, tokenizer, [
    '',
    'a photo of a red cat',
  ]);
  const rowSize = embeddings.tokens * embeddings.hidden;
  const negative = { ...embeddings, count: 1, data: embeddings.data.slice(0, rowSize) };
  const positive = { ...embeddings, count: 1, data: embeddings.data.slice(rowSize) };

  const rows: { label: string; bare: number; loop: number; unet: number; overhead: number }[] = [];
  for (const guided of [false, true]) {
    const batch = guided ? 2 : 1;
    // Baseline: the same UNet runs with inputs built once, nothing else.
    const sample = floatTensor(
      new CounterNormalRng(1).normals(plane * batch),
      [batch, 4, latentSize, latentSize],
      'float32',
    );
    const context = floatTensor(
      guided ? embeddings.data : positive.data,
      [batch, embeddings.tokens, embeddings.hidden],
      'float32',
    );
    const timestep = timestepTensor(500, sessions.unet.timestep, batch);
    const bareTimes: number[] = [];
    const loopTimes: number[] = [];
    const unetTimes: number[] = [];
    for (let run = 0; run < runs + 2; run++) {
      const started = performance.now();
      for (let step = 0; step < steps; step++) {
        await sessions.unet.session.run({
          [sessions.unet.sample.name]: sample,
          [sessions.unet.timestep.name]: timestep,
          [sessions.unet.context.name]: context,
        });
      }
      const bare = (performance.now() - started) / steps;
      const rng = new CounterNormalRng(run);
      const scheduler = createScheduler('euler', model.schedulerConfig, steps);
      const result = await denoise({
        unet: sessions.unet,
        scheduler,
        latents: rng.normals(plane).map((value) => value * scheduler.initNoiseSigma),
        latentHeight: latentSize,
        latentWidth: latentSize,
        positive,
        negative: guided ? negative : undefined,
        guidanceScale: guided ? 7.5 : 1,
        startIndex: 0,
        noise: stepNoiseFrom(rng, 0),
        signal,
      });
      if (run < 2) continue; // warm-up
      bareTimes.push(bare);
      loopTimes.push(result.totalMs / result.steps);
      unetTimes.push(result.unetMs / result.steps);
    }
    const loop = median(loopTimes);
    const unet = median(unetTimes);
    rows.push({
      label: guided ? 'CFG (batch 2)' : 'no guidance',
      bare: median(bareTimes),
      loop,
      unet,
      overhead: loop - unet,
    });
  }
  sessions.release();
  await cache.clear();

  console.log(
    `tiny UNet, ${latentSize}×${latentSize} latents (512×512 px), ${steps} Euler steps, median of ${runs} runs (ms per step)`,
  );
  console.log(
    '| mode | bare session.run | our loop | UNet inside loop | non-model overhead | loop / bare |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const row of rows) {
    console.log(
      `| ${row.label} | ${row.bare.toFixed(3)} | ${row.loop.toFixed(3)} | ${row.unet.toFixed(3)} | ${row.overhead.toFixed(3)} ${row.overhead <= 2 ? '(≤ 2 ms target met)' : '(over the 2 ms target)'} | ${(row.loop / row.bare).toFixed(2)}× |`,
    );
  }
  console.log('\none-off costs per generation (ms, median)');
  console.log(`| tokenizer (1 prompt) | ${median(tokenizeTimes).toFixed(3)} |`);
  console.log(`| text encoder (2 prompts) | ${median(encodeTimes).toFixed(3)} |`);
  console.log(`| VAE decode 64×64 → 512×512 | ${median(decodeTimes).toFixed(3)} |`);
} finally {
  await rm(dataDir, { recursive: true, force: true });
}

// Issue-6 methods (inpaint, outpaint, ControlNet) as ratios to textToImage in the same run.
await benchInpaintControlnet(Math.max(3, Math.min(runs, 5)));

// A result-cache hit against the same seeded inpaint run fresh, in the same run.
await benchResultCache(Math.max(3, Math.min(runs, 5)));
