import {
  alphasCumprod,
  interpolate,
  karrasSigmas,
  roundHalfEven,
  type Scheduler,
  type SchedulerConfig,
  type StepNoise,
  sigmaToTimestep,
  trainingSigmas,
} from './scheduler.ts';

/**
 * DPM-Solver++ 2M (diffusers `DPMSolverMultistepScheduler`, order 2, `dpmsolver++`, midpoint
 * second-order update, final σ 0, lower-order final step below 15 steps). Latents live in VP form
 * `α_t·x₀ + σ_t·ε` with α_t = 1/sqrt(σ²+1), σ_t = σ·α_t, so the UNet input is unscaled.
 *
 * Invariant: `previousOriginal` holds x̂₀ of the step just taken (the multistep history).
 */
export class DpmSolverScheduler implements Scheduler {
  readonly name: string;
  readonly timesteps: number[];
  readonly sigmas: number[];
  readonly initNoiseSigma = 1;
  private previousOriginal: Float32Array | undefined;

  constructor(
    private readonly config: SchedulerConfig,
    private readonly steps: number,
  ) {
    this.name = config.use_karras_sigmas ? 'dpmpp_2m_karras' : 'dpmpp_2m';
    const training = trainingSigmas(alphasCumprod(config));
    const total = config.num_train_timesteps;
    let timesteps: number[];
    if (config.timestep_spacing === 'linspace') {
      timesteps = Array.from({ length: steps + 1 }, (_, index) =>
        roundHalfEven((index * (total - 1)) / steps),
      )
        .reverse()
        .slice(0, steps);
    } else if (config.timestep_spacing === 'leading') {
      const ratio = Math.floor(total / (steps + 1));
      timesteps = Array.from({ length: steps + 1 }, (_, index) => index * ratio)
        .reverse()
        .slice(0, steps)
        .map((timestep) => timestep + config.steps_offset);
    } else {
      timesteps = Array.from(
        { length: steps },
        (_, index) => roundHalfEven(total - (index * total) / steps) - 1,
      );
    }
    let sigmas = timesteps.map((timestep) => interpolate(training, timestep));
    if (config.use_karras_sigmas) {
      sigmas = karrasSigmas(sigmas[sigmas.length - 1]!, sigmas[0]!, steps);
      timesteps = sigmas.map((sigma) => roundHalfEven(sigmaToTimestep(sigma, training)));
    }
    this.timesteps = timesteps;
    this.sigmas = [...sigmas, 0];
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
    const [alphaS0, sigmaS0] = vp(this.sigmas[index]!);
    const original = new Float32Array(sample.length);
    for (let offset = 0; offset < sample.length; offset++) {
      const value = sample[offset]!;
      const output = modelOutput[offset]!;
      original[offset] =
        this.config.prediction_type === 'epsilon'
          ? (value - sigmaS0 * output) / alphaS0
          : alphaS0 * value - sigmaS0 * output;
    }
    const sigmaNext = this.sigmas[index + 1]!;
    const history = this.previousOriginal;
    this.previousOriginal = original;
    // σ_next = 0 is the clean end point: x̂₀ itself (the first-order update's limit).
    if (sigmaNext === 0) return original;
    const [alphaT, sigmaT] = vp(sigmaNext);
    const lambdaT = Math.log(alphaT) - Math.log(sigmaT);
    const lambdaS0 = Math.log(alphaS0) - Math.log(sigmaS0);
    const h = lambdaT - lambdaS0;
    const decay = Math.exp(-h) - 1;
    const lowerOrderFinal = index === this.steps - 1 && this.steps < 15;
    const out = new Float32Array(sample.length);
    if (!history || index === 0 || lowerOrderFinal) {
      for (let offset = 0; offset < sample.length; offset++) {
        out[offset] = (sigmaT / sigmaS0) * sample[offset]! - alphaT * decay * original[offset]!;
      }
      return out;
    }
    const [alphaS1, sigmaS1] = vp(this.sigmas[index - 1]!);
    const lambdaS1 = Math.log(alphaS1) - Math.log(sigmaS1);
    const ratio = (lambdaS0 - lambdaS1) / h;
    for (let offset = 0; offset < sample.length; offset++) {
      const d0 = original[offset]!;
      const d1 = (d0 - history[offset]!) / ratio;
      out[offset] =
        (sigmaT / sigmaS0) * sample[offset]! - alphaT * decay * d0 - 0.5 * alphaT * decay * d1;
    }
    return out;
  }

  addNoise(original: Float32Array, noise: Float32Array, index: number): Float32Array {
    const [alpha, sigma] = vp(this.sigmas[index]!);
    return original.map((value, offset) => alpha * value + sigma * noise[offset]!);
  }
}

function vp(sigma: number): [number, number] {
  const alpha = 1 / Math.sqrt(sigma * sigma + 1);
  return [alpha, sigma * alpha];
}
