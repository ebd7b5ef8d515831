import {
  alphasCumprod,
  type Scheduler,
  type SchedulerConfig,
  type StepNoise,
} from './scheduler.ts';

/** LCM's distillation schedule: 50 original steps over 1000 training timesteps. */
const ORIGINAL_STEPS = 50;
/** Boundary-condition constants of the consistency parameterisation (diffusers' defaults). */
const SIGMA_DATA = 0.5;
const TIMESTEP_SCALING = 10;

/**
 * Latent Consistency Model sampling (diffusers `LCMScheduler`): timesteps are taken from the 50
 * distillation timesteps `[19, 39, …, 999]` at evenly spaced indices, descending; each step predicts the
 * clean latents with the boundary conditions `c_skip·x + c_out·x̂₀` and, except on the last step,
 * re-noises them to the next timestep with fresh seeded noise.
 */
export class LcmScheduler implements Scheduler {
  readonly name = 'lcm';
  readonly timesteps: number[];
  readonly initNoiseSigma = 1;
  private readonly cumprod: Float64Array;
  private readonly finalCumprod: number;

  constructor(
    private readonly config: SchedulerConfig,
    steps: number,
  ) {
    if (steps > ORIGINAL_STEPS)
      throw new Error(`lcm supports at most ${ORIGINAL_STEPS} steps, got ${steps}`);
    this.cumprod = alphasCumprod(config);
    this.finalCumprod = config.set_alpha_to_one ? 1 : this.cumprod[0]!;
    const stride = Math.floor(config.num_train_timesteps / ORIGINAL_STEPS);
    const origin = Array.from({ length: ORIGINAL_STEPS }, (_, index) => (index + 1) * stride - 1);
    // diffusers ≥ 0.25: indices = floor(linspace(0, 50, steps, endpoint=False)) into the reversed list.
    const descending = [...origin].reverse();
    this.timesteps = Array.from(
      { length: steps },
      (_, index) => descending[Math.floor((index * ORIGINAL_STEPS) / steps)]!,
    );
  }

  scaleModelInput(sample: Float32Array, _index: number, out: Float32Array): void {
    out.set(sample);
  }

  step(
    modelOutput: Float32Array,
    index: number,
    sample: Float32Array,
    noise: StepNoise,
  ): Float32Array {
    const timestep = this.timesteps[index]!;
    const last = index === this.timesteps.length - 1;
    const previous = last ? -1 : this.timesteps[index + 1]!;
    const alpha = this.cumprod[timestep]!;
    const alphaPrevious = previous >= 0 ? this.cumprod[previous]! : this.finalCumprod;
    const scaled = timestep * TIMESTEP_SCALING;
    const cSkip = SIGMA_DATA ** 2 / (scaled ** 2 + SIGMA_DATA ** 2);
    const cOut = scaled / Math.sqrt(scaled ** 2 + SIGMA_DATA ** 2);
    const sqrtAlpha = Math.sqrt(alpha);
    const sqrtOneMinus = Math.sqrt(1 - alpha);
    const fresh = last ? undefined : noise.noise(index, sample.length);
    const out = new Float32Array(sample.length);
    for (let offset = 0; offset < sample.length; offset++) {
      const value = sample[offset]!;
      const output = modelOutput[offset]!;
      const original =
        this.config.prediction_type === 'epsilon'
          ? (value - sqrtOneMinus * output) / sqrtAlpha
          : sqrtAlpha * value - sqrtOneMinus * output;
      const denoised = cOut * original + cSkip * value;
      out[offset] = fresh
        ? Math.sqrt(alphaPrevious) * denoised + Math.sqrt(1 - alphaPrevious) * fresh[offset]!
        : denoised;
    }
    return out;
  }

  addNoise(original: Float32Array, noise: Float32Array, index: number): Float32Array {
    const alpha = this.cumprod[this.timesteps[index]!]!;
    return original.map(
      (value, offset) => Math.sqrt(alpha) * value + Math.sqrt(1 - alpha) * noise[offset]!,
    );
  }
}

/**
 * The guidance-scale embedding LCM-distilled UNets take as `timestep_cond` (diffusers
 * `get_guidance_scale_embedding`): `w' = (guidanceScale − 1)·1000`, then `[sin(w'·f_i), cos(w'·f_i)]`
 * with `f_i = exp(−i·ln(10000)/(dim/2 − 1))`; odd widths end with one zero. LCM folds guidance into
 * this input instead of running classifier-free guidance, so the UNet batch stays 1.
 */
export function lcmGuidanceEmbedding(guidanceScale: number, dim: number): Float32Array {
  if (!Number.isInteger(dim) || dim < 4)
    throw new Error(`timestep_cond width must be an integer ≥ 4, got ${dim}`);
  const half = Math.floor(dim / 2);
  const w = (guidanceScale - 1) * 1000;
  const step = Math.log(10000) / (half - 1);
  const out = new Float32Array(dim);
  for (let index = 0; index < half; index++) {
    const angle = w * Math.exp(-index * step);
    out[index] = Math.sin(angle);
    out[half + index] = Math.cos(angle);
  }
  return out;
}
