import { expect, test } from 'bun:test';
import { createScheduler, schedulerNames } from '../src/schedulers/create-scheduler.ts';
import { LcmScheduler, lcmGuidanceEmbedding } from '../src/schedulers/lcm-scheduler.ts';
import { DEFAULT_SCHEDULER_CONFIG } from '../src/schedulers/scheduler.ts';

const config = { ...DEFAULT_SCHEDULER_CONFIG };

test('LCM timesteps follow the 50-step distillation schedule (diffusers: 4 steps → 999, 759, 499, 259)', () => {
  expect(new LcmScheduler(config, 4).timesteps).toEqual([999, 759, 499, 259]);
  expect(new LcmScheduler(config, 1).timesteps).toEqual([999]);
  expect(() => new LcmScheduler(config, 51)).toThrow(/at most 50/);
  expect(schedulerNames()).toContain('lcm');
});

test('an exact epsilon prediction lands on the clean latents at the last step', () => {
  const scheduler = createScheduler('lcm', config, 4);
  const clean = Float32Array.from({ length: 16 }, (_, index) => Math.sin(index) * 0.8);
  const noise = Float32Array.from({ length: 16 }, (_, index) => Math.cos(index * 3));
  let sample = scheduler.addNoise(clean, noise, 0);
  const stepNoise = {
    noise: (_index: number, count: number) =>
      Float32Array.from({ length: count }, (_, i) => Math.cos(i * 3)),
  };
  for (let index = 0; index < scheduler.timesteps.length; index++) {
    // The exact ε for the current sample: (x − √ᾱ·x₀)/√(1−ᾱ).
    const alpha = (scheduler as unknown as { cumprod: Float64Array }).cumprod[
      scheduler.timesteps[index]!
    ]!;
    const epsilon = sample.map(
      (value, offset) => (value - Math.sqrt(alpha) * clean[offset]!) / Math.sqrt(1 - alpha),
    );
    sample = scheduler.step(epsilon, index, sample, stepNoise);
  }
  for (let offset = 0; offset < 16; offset++)
    expect(sample[offset]!).toBeCloseTo(clean[offset]!, 2);
});

test('the tiny model generates with the lcm sampler deterministically', async () => {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { createRuntime } = await import('@viwo/core');
  const { createDiffusersPlugin } = await import('../src/diffusers-plugin.ts');
  const dataDir = await mkdtemp(join(tmpdir(), 'viwo-lcm-'));
  const runtime = await createRuntime({ dataDir, plugins: [createDiffusersPlugin()] });
  try {
    const session = runtime.openSession('local');
    const script = [
      'std.call_method',
      ['get_capability', 'diffusers.generate'],
      'textToImage',
      'a cat',
      { scheduler: 'lcm', steps: 4, guidance_scale: 1, seed: 2, width: 64, height: 64 },
    ];
    const first = (await session.executeScript(script)).result as { $image: string };
    const second = (await session.executeScript(script)).result as { $image: string };
    expect(first.$image).toBe(second.$image);
    expect((await runtime.images.getText(first.$image)).parameters).toContain('Sampler: LCM');
    session.close();
  } finally {
    await runtime.dispose();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('the LCM guidance embedding matches diffusers get_guidance_scale_embedding', () => {
  // guidance 1.5 → w' = 500; dim 4 → frequencies [1, 1e-4].
  const embedding = lcmGuidanceEmbedding(1.5, 4);
  const expected = [Math.sin(500), Math.sin(0.05), Math.cos(500), Math.cos(0.05)];
  for (const [index, value] of expected.entries()) expect(embedding[index]!).toBeCloseTo(value, 5);
  expect(lcmGuidanceEmbedding(8, 5)[4]).toBe(0);
  expect(() => lcmGuidanceEmbedding(8, 2)).toThrow(/timestep_cond width/);
});
