import { GraphBuilder } from '@viwo/onnx';
import { TinyWeights } from './tiny-weights.ts';

const LATENT_CHANNELS = 4;
const DETAIL_GAIN = 0.35;

/** The shared colour projection of the tiny VAE pair (decoder) and its pseudo-inverse (encoder). */
export interface TinyVaeWeights {
  /** [3 × 4] latent → RGB. */
  colour: Float32Array;
  /** [4 × 3] RGB → latent (least-squares inverse of `colour`). */
  inverse: Float32Array;
  detail: Float32Array;
}

/** Deterministic VAE weights for a seed. */
export function tinyVaeWeights(seed: number): TinyVaeWeights {
  const weights = new TinyWeights(seed);
  const colour = weights.normal(3 * LATENT_CHANNELS, LATENT_CHANNELS, 0.9);
  const detail = weights.normal(3 * 64 * LATENT_CHANNELS * 9, LATENT_CHANNELS * 9, 1);
  return { colour, inverse: pseudoInverse3x4(colour), detail };
}

/**
 * Tiny VAE decoder, real contract `latent_sample [batch, 4, h, w]` → `sample [batch, 3, 8h, 8w]`
 * in [−1, 1]: undoes the scaling factor, projects to RGB, upsamples 8× bilinearly, adds
 * per-pixel detail (conv + depth-to-space), then tanh.
 */
export function buildTinyVaeDecoder(seed: number, scalingFactor: number): Uint8Array {
  const { colour, detail } = tinyVaeWeights(seed);
  const graph = new GraphBuilder('tiny_vae_decoder');
  const latents = graph.input('latent_sample', 'float32', [
    'batch',
    LATENT_CHANNELS,
    'latent_height',
    'latent_width',
  ]);
  const unscaled = graph.op('Mul', [
    latents,
    graph.initializer('scaling', 'float32', [], [scalingFactor]),
  ]);
  const rgb = graph.op('Conv', [
    unscaled,
    graph.initializer('colour_w', 'float32', [3, LATENT_CHANNELS, 1, 1], colour),
  ]);
  const upsampled = graph.op(
    'Resize',
    [rgb, '', graph.initializer('scales', 'float32', [4], [1, 1, 8, 8])],
    { mode: 'linear', coordinate_transformation_mode: 'half_pixel' },
  );
  const detailMap = graph.op(
    'DepthToSpace',
    [
      graph.op(
        'Conv',
        [unscaled, graph.initializer('detail_w', 'float32', [192, LATENT_CHANNELS, 3, 3], detail)],
        { pads: [1, 1, 1, 1] },
      ),
    ],
    { blocksize: 8, mode: 'DCR' },
  );
  const mixed = graph.op('Add', [
    upsampled,
    graph.op('Mul', [
      graph.op('Tanh', [detailMap]),
      graph.initializer('detail_gain', 'float32', [], [DETAIL_GAIN]),
    ]),
  ]);
  graph.output('sample', graph.op('Tanh', [mixed]), 'float32', ['batch', 3, 'height', 'width']);
  return graph.toBytes();
}

/**
 * Tiny VAE encoder, real contract `sample [batch, 3, H, W]` → `latent_sample [batch, 4, H/8, W/8]`
 * or `latent_parameters [batch, 8, H/8, W/8]` (mean ‖ log-variance). It approximately inverts the
 * decoder's colour path (8×8 average, atanh, pseudo-inverse), so img2img keeps the input's colours.
 */
export function buildTinyVaeEncoder(
  seed: number,
  output: 'latent_sample' | 'latent_parameters',
  scalingFactor: number,
): Uint8Array {
  const { inverse } = tinyVaeWeights(seed);
  const graph = new GraphBuilder('tiny_vae_encoder');
  const pixels = graph.input('sample', 'float32', ['batch', 3, 'height', 'width']);
  const pooled = graph.op('AveragePool', [pixels], { kernel_shape: [8, 8], strides: [8, 8] });
  const clipped = graph.op('Clip', [
    pooled,
    graph.initializer('low', 'float32', [], [-0.95]),
    graph.initializer('high', 'float32', [], [0.95]),
  ]);
  const linear = graph.op('Atanh', [clipped]);
  // Unscaled latents: the pipeline multiplies by the scaling factor, the decoder divides it back.
  const mean = graph.op('Mul', [
    graph.op('Conv', [
      linear,
      graph.initializer('inverse_w', 'float32', [LATENT_CHANNELS, 3, 1, 1], inverse),
    ]),
    graph.initializer('unscale', 'float32', [], [1 / scalingFactor]),
  ]);
  if (output === 'latent_sample') {
    graph.output('latent_sample', mean, 'float32', [
      'batch',
      LATENT_CHANNELS,
      'latent_height',
      'latent_width',
    ]);
  } else {
    // Log-variance −9 (σ ≈ 0.011): sampling adds visible but small noise, as a real VAE's does.
    const logVariance = graph.op('Add', [
      graph.op('Mul', [mean, graph.initializer('zero', 'float32', [], [0])]),
      graph.initializer('logvar', 'float32', [], [-9]),
    ]);
    const parameters = graph.op('Concat', [mean, logVariance], { axis: 1 });
    graph.output('latent_parameters', parameters, 'float32', [
      'batch',
      2 * LATENT_CHANNELS,
      'latent_height',
      'latent_width',
    ]);
  }
  return graph.toBytes();
}

/** Moore–Penrose inverse of a full-row-rank 3×4 matrix: Aᵀ(AAᵀ)⁻¹, returned as 4×3 row-major. */
function pseudoInverse3x4(matrix: Float32Array): Float32Array {
  const at = (row: number, column: number) => matrix[row * 4 + column]!;
  const gram: number[][] = [0, 1, 2].map((row) =>
    [0, 1, 2].map((column) => [0, 1, 2, 3].reduce((sum, k) => sum + at(row, k) * at(column, k), 0)),
  );
  const inverseGram = invert3(gram);
  const out = new Float32Array(12);
  for (let row = 0; row < 4; row++) {
    for (let column = 0; column < 3; column++) {
      out[row * 3 + column] = [0, 1, 2].reduce(
        (sum, k) => sum + at(k, row) * inverseGram[k]![column]!,
        0,
      );
    }
  }
  return out;
}

function invert3(m: number[][]): number[][] {
  const [a, b, c] = m[0]!;
  const [d, e, f] = m[1]!;
  const [g, h, i] = m[2]!;
  const cofactors = [
    [e! * i! - f! * h!, c! * h! - b! * i!, b! * f! - c! * e!],
    [f! * g! - d! * i!, a! * i! - c! * g!, c! * d! - a! * f!],
    [d! * h! - e! * g!, b! * g! - a! * h!, a! * e! - b! * d!],
  ];
  const determinant = a! * cofactors[0]![0]! + b! * cofactors[1]![0]! + c! * cofactors[2]![0]!;
  return cofactors.map((row) => row.map((value) => value / determinant));
}
