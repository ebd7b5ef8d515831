import {
  predictOriginalSigma,
  type Scheduler,
  type SchedulerConfig,
  type StepNoise,
  sigmaSchedule,
} from './scheduler.ts';

/**
 * Euler sampler in σ-space (diffusers `EulerDiscreteScheduler`, no churn): the latents are
 * `x₀ + σ·ε`, the UNet sees `x / sqrt(σ² + 1)`, and each step moves along the ODE derivative
 * `(x − x̂₀) / σ` to the next σ.
 */
export class EulerScheduler implements Scheduler {
  readonly name: string = 'euler';
  readonly timesteps: number[];
  readonly sigmas: number[];
  readonly initNoiseSigma: number;

  constructor(
    protected readonly config: SchedulerConfig,
    steps: number,
  ) {
    const schedule = sigmaSchedule(config, steps);
    this.timesteps = schedule.timesteps;
    this.sigmas = schedule.sigmas;
    const sigmaMax = Math.max(...this.sigmas);
    // diffusers: trailing/linspace start exactly at σ_max, leading at sqrt(σ_max² + 1).
    this.initNoiseSigma =
      config.timestep_spacing === 'leading' ? Math.sqrt(sigmaMax * sigmaMax + 1) : sigmaMax;
  }

  scaleModelInput(sample: Float32Array, index: number, out: Float32Array): void {
    const sigma = this.sigmas[index]!;
    const scale = 1 / Math.sqrt(sigma * sigma + 1);
    for (let offset = 0; offset < sample.length; offset++) out[offset] = sample[offset]! * scale;
  }

  step(
    modelOutput: Float32Array,
    index: number,
    sample: Float32Array,
    _noise: StepNoise,
  ): Float32Array {
    const sigma = this.sigmas[index]!;
    const delta = this.sigmas[index + 1]! - sigma;
    const prediction = this.config.prediction_type;
    const out = new Float32Array(sample.length);
    for (let offset = 0; offset < sample.length; offset++) {
      const value = sample[offset]!;
      const original = predictOriginalSigma(modelOutput[offset]!, value, sigma, prediction);
      out[offset] = value + ((value - original) / sigma) * delta;
    }
    return out;
  }

  addNoise(original: Float32Array, noise: Float32Array, index: number): Float32Array {
    const sigma = this.sigmas[index]!;
    return original.map((value, offset) => value + noise[offset]! * sigma);
  }
}
