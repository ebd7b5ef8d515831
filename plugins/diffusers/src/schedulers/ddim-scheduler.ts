import {
  alphasCumprod,
  type Scheduler,
  type SchedulerConfig,
  type StepNoise,
  spacedTimesteps,
} from './scheduler.ts';

/**
 * DDIM with η = 0 (diffusers `DDIMScheduler`): deterministic, works in ᾱ-space (latents are
 * `sqrt(ᾱ)·x₀ + sqrt(1−ᾱ)·ε`), so the UNet input is unscaled and the initial noise has std 1.
 */
export class DdimScheduler implements Scheduler {
  readonly name = 'ddim';
  readonly timesteps: number[];
  readonly initNoiseSigma = 1;
  private readonly cumprod: Float64Array;
  private readonly finalCumprod: number;
  private readonly stride: number;

  constructor(
    private readonly config: SchedulerConfig,
    steps: number,
  ) {
    this.cumprod = alphasCumprod(config);
    this.finalCumprod = config.set_alpha_to_one ? 1 : this.cumprod[0]!;
    this.timesteps = spacedTimesteps(config, steps, true);
    this.stride = Math.floor(config.num_train_timesteps / steps);
  }

  scaleModelInput(sample: Float32Array, _index: number, out: Float32Array): void {
    out.set(sample);
  }

  step(
    modelOutput: Float32Array,
    index: number,
    sample: Float32Array,
    _noise: StepNoise,
  ): Float32Array {
    const timestep = this.timesteps[index]!;
    const previous = timestep - this.stride;
    const alpha = this.alphaAt(timestep);
    const alphaPrevious = previous >= 0 ? this.alphaAt(previous) : this.finalCumprod;
    const sqrtAlpha = Math.sqrt(alpha);
    const sqrtOneMinus = Math.sqrt(1 - alpha);
    const sqrtAlphaPrevious = Math.sqrt(alphaPrevious);
    const sqrtOneMinusPrevious = Math.sqrt(1 - alphaPrevious);
    const out = new Float32Array(sample.length);
    for (let offset = 0; offset < sample.length; offset++) {
      const value = sample[offset]!;
      const output = modelOutput[offset]!;
      let original: number;
      let epsilon: number;
      if (this.config.prediction_type === 'epsilon') {
        original = (value - sqrtOneMinus * output) / sqrtAlpha;
        epsilon = output;
      } else {
        original = sqrtAlpha * value - sqrtOneMinus * output;
        epsilon = sqrtAlpha * output + sqrtOneMinus * value;
      }
      out[offset] = sqrtAlphaPrevious * original + sqrtOneMinusPrevious * epsilon;
    }
    return out;
  }

  addNoise(original: Float32Array, noise: Float32Array, index: number): Float32Array {
    const alpha = this.alphaAt(this.timesteps[index]!);
    const signal = Math.sqrt(alpha);
    const spread = Math.sqrt(1 - alpha);
    return original.map((value, offset) => signal * value + spread * noise[offset]!);
  }

  private alphaAt(timestep: number): number {
    const clamped = Math.min(Math.max(Math.round(timestep), 0), this.cumprod.length - 1);
    return this.cumprod[clamped]!;
  }
}
