import { EulerScheduler } from './euler-scheduler.ts';
import { predictOriginalSigma, type StepNoise } from './scheduler.ts';

/**
 * Euler ancestral (diffusers `EulerAncestralDiscreteScheduler`): a deterministic Euler move to
 * σ_down followed by fresh noise of std σ_up, where σ_up² + σ_down² = σ_next².
 */
export class EulerAncestralScheduler extends EulerScheduler {
  override readonly name = 'euler_a';

  override step(
    modelOutput: Float32Array,
    index: number,
    sample: Float32Array,
    noise: StepNoise,
  ): Float32Array {
    const sigma = this.sigmas[index]!;
    const sigmaNext = this.sigmas[index + 1]!;
    const sigmaUp = Math.sqrt((sigmaNext ** 2 * (sigma ** 2 - sigmaNext ** 2)) / sigma ** 2);
    const sigmaDown = Math.sqrt(Math.max(sigmaNext ** 2 - sigmaUp ** 2, 0));
    const delta = sigmaDown - sigma;
    const fresh = sigmaUp > 0 ? noise.noise(index, sample.length) : undefined;
    const prediction = this.config.prediction_type;
    const out = new Float32Array(sample.length);
    for (let offset = 0; offset < sample.length; offset++) {
      const value = sample[offset]!;
      const original = predictOriginalSigma(modelOutput[offset]!, value, sigma, prediction);
      out[offset] =
        value + ((value - original) / sigma) * delta + (fresh ? fresh[offset]! * sigmaUp : 0);
    }
    return out;
  }
}
