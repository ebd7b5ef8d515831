/**
 * Deterministic counter-based normal random numbers.
 *
 * Algorithm (stable across versions: changing it changes every seeded image):
 * - the 53-bit seed is split into two 32-bit key words `k0`, `k1`;
 * - element `i` of stream `s` hashes the counter `(i, s)` with the key through two rounds of the
 *   murmur3 `fmix32` finaliser (`hash32` below), giving two independent 32-bit words;
 * - the words become uniforms `u1 ∈ (0, 1]`, `u2 ∈ [0, 1)` and one Box–Muller draw
 *   `sqrt(-2 ln u1) · cos(2π u2)`.
 * Because each value depends only on (seed, stream, index), any element can be produced without
 * generating the ones before it, and results never depend on call order or batch splitting.
 */
export class CounterNormalRng {
  private readonly key0: number;
  private readonly key1: number;

  /** @param seed a non-negative integer up to 2^53 − 1 */
  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
    }
    this.key0 = seed >>> 0;
    this.key1 = Math.floor(seed / 2 ** 32) >>> 0;
  }

  /** The normal sample at (`stream`, `index`). */
  normalAt(stream: number, index: number): number {
    const word0 = hash32(index ^ this.key0, (stream * 2) ^ this.key1);
    const word1 = hash32(word0 ^ index ^ 0x9e3779b9, (stream * 2 + 1) ^ this.key1 ^ this.key0);
    const uniform1 = (word0 + 1) / 4294967296; // (0, 1]: log never sees 0
    const uniform2 = word1 / 4294967296;
    return Math.sqrt(-2 * Math.log(uniform1)) * Math.cos(2 * Math.PI * uniform2);
  }

  /** `count` normal samples of stream `stream`, indices 0..count−1. */
  normals(count: number, stream = 0): Float32Array {
    const out = new Float32Array(count);
    for (let index = 0; index < count; index++) out[index] = this.normalAt(stream, index);
    return out;
  }
}

function fmix32(value: number): number {
  let hash = value >>> 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

function hash32(counter: number, key: number): number {
  return fmix32(
    fmix32(counter ^ Math.imul(key, 0x27d4eb2f)) + Math.imul(key ^ 0x165667b1, 0x9e3779b1),
  );
}
