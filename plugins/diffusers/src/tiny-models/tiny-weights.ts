import { CounterNormalRng } from '../rng/counter-normal-rng.ts';

/**
 * Deterministic random weights for tiny test models: normal values from the counter RNG, scaled
 * by `scale / sqrt(fanIn)` so activations keep unit order through each layer (neither flat nor
 * saturated). Each tensor gets its own stream, so adding a tensor never changes the others.
 */
export class TinyWeights {
  private readonly rng: CounterNormalRng;
  private nextStream = 0;

  constructor(seed: number) {
    this.rng = new CounterNormalRng(seed);
  }

  /** `count` weights with std `scale / sqrt(fanIn)`. */
  normal(count: number, fanIn: number, scale = 1): Float32Array {
    const values = this.rng.normals(count, this.nextStream++);
    const std = scale / Math.sqrt(Math.max(fanIn, 1));
    for (let index = 0; index < count; index++) values[index] = values[index]! * std;
    return values;
  }
}
