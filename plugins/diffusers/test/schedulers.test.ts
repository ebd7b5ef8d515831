import { describe, expect, test } from 'bun:test';
import { CounterNormalRng } from '../src/rng/counter-normal-rng.ts';
import { createScheduler, schedulerNames } from '../src/schedulers/create-scheduler.ts';
import { DdimScheduler } from '../src/schedulers/ddim-scheduler.ts';
import { DpmSolverScheduler } from '../src/schedulers/dpm-solver-scheduler.ts';
import { EulerScheduler } from '../src/schedulers/euler-scheduler.ts';
import {
  alphasCumprod,
  resolveSchedulerConfig,
  spacedTimesteps,
  stepNoiseFrom,
  trainingSigmas,
} from '../src/schedulers/scheduler.ts';

const base = resolveSchedulerConfig({});
const trailing = resolveSchedulerConfig({ timestep_spacing: 'trailing' });

describe('schedule vectors', () => {
  test('scaled_linear σ_max and σ_min', () => {
    const sigmas = trainingSigmas(alphasCumprod(base));
    expect(sigmas[999]).toBeCloseTo(14.6147, 3);
    expect(sigmas[0]).toBeCloseTo(0.02917, 4);
  });

  test('trailing N=4 timesteps and sigmas (diffusers EulerDiscreteScheduler)', () => {
    const euler = new EulerScheduler(trailing, 4);
    expect(euler.timesteps).toEqual([999, 749, 499, 249]);
    const expected = [14.6147, 4.0817, 1.6129, 0.6932, 0];
    euler.sigmas.forEach((sigma, index) => {
      expect(sigma).toBeCloseTo(expected[index]!, 3);
    });
    expect(euler.initNoiseSigma).toBeCloseTo(14.6147, 3);
  });

  test('leading spacing with steps_offset 1 (SD 1.x config)', () => {
    expect(spacedTimesteps(base, 10, true)).toEqual([
      901, 801, 701, 601, 501, 401, 301, 201, 101, 1,
    ]);
    const euler = new EulerScheduler(base, 10);
    expect(euler.initNoiseSigma).toBeCloseTo(Math.sqrt(euler.sigmas[0]! ** 2 + 1), 6);
  });

  test('linspace spacing spans 999..0', () => {
    expect(spacedTimesteps({ ...base, timestep_spacing: 'linspace' }, 4, false)).toEqual([
      999, 666, 333, 0,
    ]);
  });

  test('DDIM leading 50 steps starts at 981 and ends at 1', () => {
    const ddim = new DdimScheduler(base, 50);
    expect(ddim.timesteps[0]).toBe(981);
    expect(ddim.timesteps.at(-1)).toBe(1);
  });

  test('DPM++ 2M timesteps and Karras σ range', () => {
    const dpm = new DpmSolverScheduler({ ...base, timestep_spacing: 'linspace' }, 4);
    expect(dpm.timesteps).toEqual([999, 749, 500, 250]);
    const karras = new DpmSolverScheduler({ ...trailing, use_karras_sigmas: true }, 4);
    expect(karras.sigmas[0]).toBeCloseTo(14.6147, 3);
    expect(karras.sigmas[3]).toBeCloseTo(0.6932, 3);
    expect(karras.sigmas[4]).toBe(0);
  });
});

describe('sampling behaviour', () => {
  // With a perfect ε-predictor for x₀ = c, every deterministic sampler must land on c.
  for (const name of ['euler', 'ddim', 'dpmpp_2m', 'dpmpp_2m_karras']) {
    test(`${name} recovers a constant x₀ with an oracle model`, () => {
      const target = 0.75;
      const config = { ...base, timestep_spacing: 'trailing' as const };
      const scheduler = createScheduler(name, config, 8);
      const cumprod = alphasCumprod(config);
      const rng = new CounterNormalRng(7);
      let latents: Float32Array = rng.normals(16).map((value) => value * scheduler.initNoiseSigma);
      const scaled = new Float32Array(16);
      scheduler.timesteps.forEach((timestep, index) => {
        scheduler.scaleModelInput(latents, index, scaled);
        const alpha = Math.sqrt(cumprod[Math.round(timestep)]!);
        const spread = Math.sqrt(1 - cumprod[Math.round(timestep)]!);
        // The UNet sees VP-form latents: ε = (x_t − α·x₀) / σ_t.
        const epsilon = scaled.map((value) => (value - alpha * target) / spread);
        latents = scheduler.step(epsilon, index, latents, stepNoiseFrom(rng, 0));
      });
      // DDIM stops at ᾱ₀ (set_alpha_to_one false), leaving σ ≈ 0.029 of noise.
      for (const value of latents) expect(Math.abs(value - target)).toBeLessThan(0.12);
    });
  }

  test('v-prediction oracle recovers x₀ with Euler', () => {
    const config = { ...trailing, prediction_type: 'v_prediction' as const };
    const scheduler = createScheduler('euler', config, 6);
    const cumprod = alphasCumprod(config);
    const target = -0.4;
    let latents: Float32Array = new CounterNormalRng(3)
      .normals(8)
      .map((value) => value * scheduler.initNoiseSigma);
    const scaled = new Float32Array(8);
    scheduler.timesteps.forEach((timestep, index) => {
      scheduler.scaleModelInput(latents, index, scaled);
      const alpha = Math.sqrt(cumprod[Math.round(timestep)]!);
      const spread = Math.sqrt(1 - cumprod[Math.round(timestep)]!);
      const velocity = scaled.map((value) => {
        const epsilon = (value - alpha * target) / spread;
        return alpha * epsilon - spread * target;
      });
      latents = scheduler.step(velocity, index, latents, stepNoiseFrom(new CounterNormalRng(1), 0));
    });
    for (const value of latents) expect(value).toBeCloseTo(target, 1);
  });

  test('every registered scheduler is constructible', () => {
    expect(schedulerNames()).toEqual([
      'euler',
      'euler_a',
      'ddim',
      'dpmpp_2m',
      'dpmpp_2m_karras',
      'lcm',
    ]);
    expect(() => createScheduler('plms', base, 4)).toThrow(/unknown scheduler 'plms'/);
  });
});

describe('counter RNG', () => {
  test('same seed gives identical values, different seeds differ', () => {
    const first = new CounterNormalRng(42).normals(1000);
    expect(new CounterNormalRng(42).normals(1000)).toEqual(first);
    expect(new CounterNormalRng(43).normals(1000)).not.toEqual(first);
  });

  test('random access equals sequential generation', () => {
    const rng = new CounterNormalRng(2 ** 40 + 5);
    const all = rng.normals(100, 3);
    expect(rng.normalAt(3, 57)).toBeCloseTo(all[57]!, 6);
  });

  test('samples are standard normal', () => {
    const values = new CounterNormalRng(9).normals(200_000);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
  });

  test('rejects invalid seeds', () => {
    expect(() => new CounterNormalRng(-1)).toThrow(/seed/);
    expect(() => new CounterNormalRng(1.5)).toThrow(/seed/);
  });
});
