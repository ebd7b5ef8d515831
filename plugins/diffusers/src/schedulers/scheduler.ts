import type { CounterNormalRng } from '../rng/counter-normal-rng.ts';

/** `scheduler/scheduler_config.json` keys we honour (diffusers names). */
export interface SchedulerConfig {
  num_train_timesteps: number;
  beta_start: number;
  beta_end: number;
  beta_schedule: 'scaled_linear' | 'linear';
  prediction_type: 'epsilon' | 'v_prediction';
  timestep_spacing: 'leading' | 'trailing' | 'linspace';
  steps_offset: number;
  set_alpha_to_one: boolean;
  use_karras_sigmas: boolean;
}

/** Stable Diffusion's training schedule, used when the model's config omits a key. */
export const DEFAULT_SCHEDULER_CONFIG: SchedulerConfig = {
  num_train_timesteps: 1000,
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  prediction_type: 'epsilon',
  timestep_spacing: 'leading',
  steps_offset: 1,
  set_alpha_to_one: false,
  use_karras_sigmas: false,
};

/**
 * The common sampler interface. A scheduler is configured for `steps` inference steps; step `i`
 * feeds `timesteps[i]` to the UNet.
 *
 * Invariant: `step(…, i, …)` is called once per index in order, starting at `startIndex`
 * (img2img starts late); multistep solvers keep their history internally.
 */
export interface Scheduler {
  readonly name: string;
  /** UNet timesteps, one per step (may be fractional for sigma-interpolating schedulers). */
  readonly timesteps: readonly number[];
  /** Std of the initial noise for txt2img. */
  readonly initNoiseSigma: number;
  /** Scales the latents before they go to the UNet at step `index` (in place into `out`). */
  scaleModelInput(sample: Float32Array, index: number, out: Float32Array): void;
  /** Advances `sample` from step `index` to the next, given the (guided) model output. */
  step(
    modelOutput: Float32Array,
    index: number,
    sample: Float32Array,
    rng: StepNoise,
  ): Float32Array;
  /** Noises clean latents to the level of step `index` (img2img start). */
  addNoise(original: Float32Array, noise: Float32Array, index: number): Float32Array;
}

/** Noise source for stochastic samplers: fresh normals per step, derived from the seed. */
export interface StepNoise {
  noise(index: number, count: number): Float32Array;
}

/** Builds a {@link StepNoise} on a counter RNG; stream `1000 + step` never overlaps the init noise. */
export function stepNoiseFrom(rng: CounterNormalRng, streamBase: number): StepNoise {
  return { noise: (index, count) => rng.normals(count, streamBase + 1000 + index) };
}

/** Merges a raw `scheduler_config.json` object over the defaults, validating the keys we use. */
export function resolveSchedulerConfig(raw: Record<string, unknown> = {}): SchedulerConfig {
  const config: SchedulerConfig = { ...DEFAULT_SCHEDULER_CONFIG };
  const number = (key: keyof SchedulerConfig) => {
    const value = raw[key];
    if (typeof value === 'number' && Number.isFinite(value))
      (config as unknown as Record<string, unknown>)[key] = value;
  };
  number('num_train_timesteps');
  number('beta_start');
  number('beta_end');
  number('steps_offset');
  if (raw.beta_schedule === 'linear' || raw.beta_schedule === 'scaled_linear')
    config.beta_schedule = raw.beta_schedule;
  if (raw.prediction_type === 'v_prediction' || raw.prediction_type === 'epsilon')
    config.prediction_type = raw.prediction_type;
  if (
    raw.timestep_spacing === 'leading' ||
    raw.timestep_spacing === 'trailing' ||
    raw.timestep_spacing === 'linspace'
  ) {
    config.timestep_spacing = raw.timestep_spacing;
  }
  if (typeof raw.set_alpha_to_one === 'boolean') config.set_alpha_to_one = raw.set_alpha_to_one;
  if (typeof raw.use_karras_sigmas === 'boolean') config.use_karras_sigmas = raw.use_karras_sigmas;
  return config;
}

/** Cumulative products of (1 − β) over the training schedule (float64). */
export function alphasCumprod(config: SchedulerConfig): Float64Array {
  const count = config.num_train_timesteps;
  const out = new Float64Array(count);
  let product = 1;
  for (let index = 0; index < count; index++) {
    const fraction = count === 1 ? 0 : index / (count - 1);
    const beta =
      config.beta_schedule === 'scaled_linear'
        ? (Math.sqrt(config.beta_start) +
            fraction * (Math.sqrt(config.beta_end) - Math.sqrt(config.beta_start))) **
          2
        : config.beta_start + fraction * (config.beta_end - config.beta_start);
    product *= 1 - beta;
    out[index] = product;
  }
  return out;
}

/** Training sigmas σ_t = sqrt((1 − ᾱ_t) / ᾱ_t), ascending with t. */
export function trainingSigmas(cumprod: Float64Array): Float64Array {
  return cumprod.map((alpha) => Math.sqrt((1 - alpha) / alpha));
}

/**
 * Inference timesteps (descending) for `steps` steps, following diffusers' spacings:
 * linspace `linspace(0, T−1, N)` (fractional, rounded only when `round`), leading
 * `arange(N)·(T div N) + steps_offset`, trailing `round(arange(T, 0, −T/N)) − 1`.
 */
export function spacedTimesteps(config: SchedulerConfig, steps: number, round: boolean): number[] {
  const total = config.num_train_timesteps;
  if (!Number.isInteger(steps) || steps < 1 || steps > total) {
    throw new RangeError(`steps must be an integer in 1..${total}, got ${steps}`);
  }
  const out: number[] = [];
  if (config.timestep_spacing === 'linspace') {
    for (let index = steps - 1; index >= 0; index--) {
      const value = steps === 1 ? 0 : (index * (total - 1)) / (steps - 1);
      out.push(round ? roundHalfEven(value) : value);
    }
  } else if (config.timestep_spacing === 'leading') {
    const ratio = Math.floor(total / steps);
    for (let index = steps - 1; index >= 0; index--) out.push(index * ratio + config.steps_offset);
  } else {
    const ratio = total / steps;
    for (let index = 0; index < steps; index++) out.push(roundHalfEven(total - index * ratio) - 1);
  }
  return out;
}

/** numpy-style round (half to even), which diffusers' `.round()` uses. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Linear interpolation of `table` (indexed 0..n−1) at fractional position `at`. */
export function interpolate(table: Float64Array, at: number): number {
  const clamped = Math.min(Math.max(at, 0), table.length - 1);
  const low = Math.floor(clamped);
  const high = Math.min(low + 1, table.length - 1);
  const fraction = clamped - low;
  return table[low]! * (1 - fraction) + table[high]! * fraction;
}

/** Karras et al. (2022) σ schedule with ρ = 7 between `sigmaMax` and `sigmaMin`, `count` values. */
export function karrasSigmas(sigmaMin: number, sigmaMax: number, count: number): number[] {
  const rho = 7;
  const minInv = sigmaMin ** (1 / rho);
  const maxInv = sigmaMax ** (1 / rho);
  return Array.from({ length: count }, (_, index) => {
    const ramp = count === 1 ? 0 : index / (count - 1);
    return (maxInv + ramp * (minInv - maxInv)) ** rho;
  });
}

/** Inverse of σ(t): the fractional timestep whose interpolated log-σ equals log `sigma`. */
export function sigmaToTimestep(sigma: number, sigmas: Float64Array): number {
  const logSigma = Math.log(Math.max(sigma, 1e-10));
  for (let index = 0; index < sigmas.length - 1; index++) {
    const low = Math.log(sigmas[index]!);
    const high = Math.log(sigmas[index + 1]!);
    if (logSigma >= low && logSigma <= high) {
      const weight = (low - logSigma) / (low - high);
      return index + Math.min(Math.max(weight, 0), 1);
    }
  }
  return logSigma < Math.log(sigmas[0]!) ? 0 : sigmas.length - 1;
}

/**
 * σ schedule for sigma-space samplers: σ at each inference timestep (or Karras-spaced between the
 * first and last of those) plus a final 0; timesteps re-derived from σ for Karras.
 */
export function sigmaSchedule(
  config: SchedulerConfig,
  steps: number,
): { timesteps: number[]; sigmas: number[]; training: Float64Array } {
  const training = trainingSigmas(alphasCumprod(config));
  let timesteps = spacedTimesteps(config, steps, false);
  let sigmas = timesteps.map((timestep) => interpolate(training, timestep));
  if (config.use_karras_sigmas) {
    sigmas = karrasSigmas(sigmas[sigmas.length - 1]!, sigmas[0]!, steps);
    // Fractional, as diffusers keeps them for Euler; integer-timestep UNets round when fed.
    timesteps = sigmas.map((sigma) => sigmaToTimestep(sigma, training));
  }
  return { timesteps, sigmas: [...sigmas, 0], training };
}

/** x₀ estimate from the model output in σ-space (`sample = x₀ + σ·ε`). */
export function predictOriginalSigma(
  modelOutput: number,
  sample: number,
  sigma: number,
  prediction: SchedulerConfig['prediction_type'],
): number {
  if (prediction === 'epsilon') return sample - sigma * modelOutput;
  const denominator = sigma * sigma + 1;
  return modelOutput * (-sigma / Math.sqrt(denominator)) + sample / denominator;
}
