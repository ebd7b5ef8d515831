import type { CounterNormalRng } from '../rng/counter-normal-rng.ts';
import type { VaePart } from './model-sessions.ts';
import { floatTensor, runForOutput, tensorToFloat32 } from './onnx-tensors.ts';

/** RNG stream for sampling the VAE posterior (never overlaps init noise 0 or step noise 1000+). */
const POSTERIOR_STREAM = 500;

/**
 * Decodes latents `[4, h, w]` (already in the UNet's scaled space) to pixels `[3, 8h, 8w]` in
 * [−1, 1]: divides by the VAE scaling factor as every SD pipeline does before the decoder.
 */
export async function decodeLatents(
  decoder: VaePart,
  latents: Float32Array,
  height: number,
  width: number,
  scalingFactor: number,
): Promise<{ pixels: Float32Array; height: number; width: number }> {
  const scaled = latents.map((value) => value / scalingFactor);
  const output = await runForOutput(
    decoder.session,
    { [decoder.input.name]: floatTensor(scaled, [1, 4, height, width], decoder.input.type) },
    decoder.output,
    'VAE decoder',
  );
  const dims = output.dims as number[];
  return { pixels: tensorToFloat32(output), height: dims[2]!, width: dims[3]! };
}

/**
 * Encodes pixels `[3, H, W]` in [−1, 1] to scaled latents `[4, H/8, W/8]`. Exports that return
 * `latent_parameters` (mean ‖ log-variance) are sampled with our seeded RNG, so img2img stays
 * deterministic.
 */
export async function encodePixels(
  encoder: VaePart,
  pixels: Float32Array,
  height: number,
  width: number,
  scalingFactor: number,
  rng: CounterNormalRng,
): Promise<Float32Array> {
  const output = await runForOutput(
    encoder.session,
    { [encoder.input.name]: floatTensor(pixels, [1, 3, height, width], encoder.input.type) },
    encoder.output,
    'VAE encoder',
  );
  const data = tensorToFloat32(output);
  const dims = output.dims as number[];
  const channels = dims[1]!;
  const plane = dims[2]! * dims[3]!;
  const latentSize = 4 * plane;
  const out = new Float32Array(latentSize);
  if (channels === 8) {
    const noise = rng.normals(latentSize, POSTERIOR_STREAM);
    for (let index = 0; index < latentSize; index++) {
      const logVariance = Math.min(Math.max(data[latentSize + index]!, -30), 20);
      out[index] = (data[index]! + Math.exp(0.5 * logVariance) * noise[index]!) * scalingFactor;
    }
  } else if (channels === 4) {
    for (let index = 0; index < latentSize; index++) out[index] = data[index]! * scalingFactor;
  } else {
    throw new Error(
      `VAE encoder returned ${channels} channels; expected 4 (latent_sample) or 8 (latent_parameters)`,
    );
  }
  return out;
}
