import { describe, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CapabilityError } from '@viwo/core';
import { parseKerasLayersModel, readKerasModelFiles } from '../src/converter/keras-layers-model.ts';
import { convertKerasToOnnx, type ValueRange } from '../src/converter/keras-to-onnx.ts';
import {
  runOnnxHwc,
  type TinyLayer,
  type TinyWeight,
  testPattern,
  tinyKerasModel,
  writeTinyModel,
} from './support/tiny-keras-model.ts';

const RAW: ValueRange = [0, 255];
const W = 5;
const H = 4;

/** Converts a tiny model and runs it on the test pattern. */
async function convertAndRun(layers: TinyLayer[], weights: TinyWeight[], range: ValueRange = RAW) {
  const model = parseKerasLayersModel(tinyKerasModel(layers, weights));
  const { bytes, info } = convertKerasToOnnx(model, { inputRange: range, outputRange: range });
  const input = testPattern(W, H);
  return { input, info, ...(await runOnnxHwc(bytes, input, W, H)) };
}

/** Keras HWIO kernel from a function of (h, w, in, out). */
function kernel(
  name: string,
  kh: number,
  kw: number,
  cin: number,
  cout: number,
  value: (h: number, w: number, i: number, o: number) => number,
): TinyWeight {
  const values: number[] = [];
  for (let h = 0; h < kh; h++)
    for (let w = 0; w < kw; w++)
      for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) values.push(value(h, w, i, o));
  return { name: `${name}/kernel`, shape: [kh, kw, cin, cout], values };
}

function bias(name: string, values: number[]): TinyWeight {
  return { name: `${name}/bias`, shape: [values.length], values };
}

function conv(
  name: string,
  size: number,
  filters: number,
  extra: Record<string, unknown> = {},
  inputs?: string[],
): TinyLayer {
  return {
    className: 'Conv2D',
    name,
    config: {
      filters,
      kernel_size: [size, size],
      strides: [1, 1],
      padding: 'same',
      dilation_rate: [1, 1],
      activation: 'linear',
      use_bias: true,
      ...extra,
    },
    ...(inputs ? { inputs } : {}),
  };
}

const at = (data: Float32Array, width: number, x: number, y: number, c: number) =>
  data[(y * width + x) * 3 + c]!;

function expectClose(
  actual: Float32Array,
  expected: (x: number, y: number, c: number) => number,
  width: number,
  height: number,
) {
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const want = expected(x, y, c);
        const got = at(actual, width, x, y, c);
        if (Math.abs(got - want) > 1e-3)
          throw new Error(`(${x},${y},${c}): got ${got}, expected ${want}`);
      }
    }
  }
}

describe('Keras layers-model → ONNX converter', () => {
  test('Conv2D 1×1 maps HWIO weights to OIHW (channel mixing + bias)', async () => {
    // out_o = Σ_i M[i][o]·in_i + b_o with an asymmetric M, so a transposed mapping would show.
    const M = [
      [0.5, 0.1, 0],
      [0.25, 0, 0.2],
      [0, 0.3, 0.1],
    ];
    const b = [1, 2, 3];
    const run = await convertAndRun(
      [conv('c', 1, 3)],
      [kernel('c', 1, 1, 3, 3, (_h, _w, i, o) => M[i]![o]!), bias('c', b)],
    );
    expect(run.info.scale).toBe(1);
    expectClose(
      run.data,
      (x, y, o) => [0, 1, 2].reduce((s, i) => s + M[i]![o]! * at(run.input, W, x, y, i), b[o]!),
      W,
      H,
    );
  });

  test("Conv2D 3×3 'same' pads one pixel of zeros on every side", async () => {
    // Only tap (h=0, w=2) is set: out[y][x] = in[y-1][x+1] (0 outside).
    const run = await convertAndRun(
      [conv('c', 3, 3)],
      [
        kernel('c', 3, 3, 3, 3, (h, w, i, o) => (h === 0 && w === 2 && i === o ? 1 : 0)),
        bias('c', [0, 0, 0]),
      ],
    );
    expectClose(
      run.data,
      (x, y, c) => (y - 1 >= 0 && x + 1 < W ? at(run.input, W, x + 1, y - 1, c) : 0),
      W,
      H,
    );
  });

  test("Conv2D 2×2 'same' puts the extra padding at the end, as TensorFlow does", async () => {
    const run = await convertAndRun(
      [conv('c', 2, 3)],
      [
        kernel('c', 2, 2, 3, 3, (h, w, i, o) => (h === 1 && w === 1 && i === o ? 1 : 0)),
        bias('c', [0, 0, 0]),
      ],
    );
    expectClose(
      run.data,
      (x, y, c) => (y + 1 < H && x + 1 < W ? at(run.input, W, x + 1, y + 1, c) : 0),
      W,
      H,
    );
  });

  test("Conv2D 1×1 'valid' and a fused relu activation", async () => {
    const run = await convertAndRun(
      [conv('c', 1, 3, { padding: 'valid', activation: 'relu' })],
      [kernel('c', 1, 1, 3, 3, (_h, _w, i, o) => (i === o ? 1 : 0)), bias('c', [-100, -100, -100])],
    );
    expectClose(run.data, (x, y, c) => Math.max(0, at(run.input, W, x, y, c) - 100), W, H);
  });

  test('Activation relu', async () => {
    const run = await convertAndRun(
      [
        conv('c', 1, 3),
        { className: 'Activation', name: 'r', config: { activation: 'relu' }, inputs: ['c'] },
      ],
      [kernel('c', 1, 1, 3, 3, (_h, _w, i, o) => (i === o ? 1 : 0)), bias('c', [-50, -120, -200])],
    );
    expectClose(
      run.data,
      (x, y, c) => Math.max(0, at(run.input, W, x, y, c) - [50, 120, 200][c]!),
      W,
      H,
    );
  });

  test('Concatenate on the NHWC channel axis becomes NCHW axis 1', async () => {
    // concat(in, in/2) has 6 channels; the 1×1 conv picks (in_2, in_0/2, in_1).
    const run = await convertAndRun(
      [
        conv('double', 1, 3),
        { className: 'Concatenate', name: 'cat', config: { axis: 3 }, inputs: ['in', 'double'] },
        conv('mix', 1, 3, {}, ['cat']),
      ],
      [
        kernel('double', 1, 1, 3, 3, (_h, _w, i, o) => (i === o ? 0.5 : 0)),
        bias('double', [0, 0, 0]),
        kernel('mix', 1, 1, 6, 3, (_h, _w, i, o) => (i === [2, 3, 1][o] ? 1 : 0)),
        bias('mix', [0, 0, 0]),
      ],
    );
    expectClose(
      run.data,
      (x, y, c) =>
        [at(run.input, W, x, y, 2), 0.5 * at(run.input, W, x, y, 0), at(run.input, W, x, y, 1)][c]!,
      W,
      H,
    );
  });

  test('Add sums its inputs', async () => {
    const run = await convertAndRun(
      [conv('half', 1, 3), { className: 'Add', name: 'sum', inputs: ['in', 'half'] }],
      [kernel('half', 1, 1, 3, 3, (_h, _w, i, o) => (i === o ? -0.5 : 0)), bias('half', [1, 1, 1])],
    );
    expectClose(run.data, (x, y, c) => at(run.input, W, x, y, c) * 0.5 + 1, W, H);
  });

  test('UpSampling2D nearest replicates pixels exactly', async () => {
    const run = await convertAndRun(
      [
        {
          className: 'UpSampling2D',
          name: 'up',
          config: { size: [3, 3], interpolation: 'nearest' },
        },
      ],
      [],
    );
    expect(run.info.scale).toBe(3);
    expect([run.width, run.height]).toEqual([W * 3, H * 3]);
    expectClose(
      run.data,
      (x, y, c) => at(run.input, W, Math.floor(x / 3), Math.floor(y / 3), c),
      W * 3,
      H * 3,
    );
  });

  test("MultiplyBeta multiplies by the layer's beta", async () => {
    const run = await convertAndRun(
      [{ className: 'MultiplyBeta', name: 'beta', config: { beta: 0.2 } }],
      [],
    );
    expectClose(run.data, (x, y, c) => 0.2 * at(run.input, W, x, y, c), W, H);
  });

  test('PixelShuffle2x is TF depth_to_space (DCR order), not PyTorch pixel shuffle', async () => {
    // Channel k of the 12-channel tensor = in_{k mod 3} · (1 + ⌊k/3⌋), so with DCR the output at
    // block offset (i, j), channel c is in_c · (1 + 2i + j). CRD would mix channels instead.
    const run = await convertAndRun(
      [
        conv('expand', 1, 12),
        { className: 'PixelShuffle2x', name: 'shuffle', config: { scale: 2 }, inputs: ['expand'] },
      ],
      [
        kernel(
          'expand',
          1,
          1,
          3,
          12,
          (_h, _w, i, k) => (k % 3 === i ? 1 + Math.floor(k / 3) : 0) / 4,
        ),
        bias('expand', new Array(12).fill(0)),
      ],
    );
    expect(run.info.scale).toBe(2);
    expectClose(
      run.data,
      (x, y, c) => (at(run.input, W, x >> 1, y >> 1, c) * (1 + 2 * (y % 2) + (x % 2))) / 4,
      W * 2,
      H * 2,
    );
  });

  test('input range 0–1 scales pixels by 1/255 and output back ×255, clipped', async () => {
    const run = await convertAndRun(
      [conv('c', 1, 3)],
      [kernel('c', 1, 1, 3, 3, (_h, _w, i, o) => (i === o ? 1.5 : 0)), bias('c', [0, 0, 0])],
      [0, 1],
    );
    expectClose(run.data, (x, y, c) => Math.min(255, 1.5 * at(run.input, W, x, y, c)), W, H);
  });

  test('peak live activations follow tensor lifetimes (planned memory per input pixel)', async () => {
    // in(3) → c(8) → cat(in, c)=11 → out(3): at the concatenation in, c and cat are live: 22.
    const run = await convertAndRun(
      [
        conv('c', 1, 8),
        { className: 'Concatenate', name: 'cat', config: { axis: -1 }, inputs: ['in', 'c'] },
        conv('out', 1, 3, {}, ['cat']),
      ],
      [
        kernel('c', 1, 1, 3, 8, () => 0.1),
        bias('c', new Array(8).fill(0)),
        kernel('out', 1, 1, 11, 3, () => 0.01),
        bias('out', [0, 0, 0]),
      ],
    );
    expect(run.info.peakElementsPerInputPixel).toBe(22);
  });

  test('an unknown layer type fails with a message naming the layer', () => {
    const files = tinyKerasModel([{ className: 'SpectralNorm', name: 'weird_layer' }], []);
    const model = parseKerasLayersModel(files);
    expect(() => convertKerasToOnnx(model, { inputRange: RAW, outputRange: RAW })).toThrow(
      /SpectralNorm \(layer weird_layer\)/,
    );
  });

  test('truncated shards and unsupported configs fail clearly', () => {
    const files = tinyKerasModel(
      [conv('c', 1, 3)],
      [kernel('c', 1, 1, 3, 3, () => 1), bias('c', [0, 0, 0])],
    );
    const truncated = { ...files, shards: [files.shards[0]!.slice(0, 20)] };
    expect(() => parseKerasLayersModel(truncated)).toThrow(/truncated/);
    const strided = parseKerasLayersModel(
      tinyKerasModel(
        [conv('c', 1, 3, { strides: [2, 2] })],
        [kernel('c', 1, 1, 3, 3, () => 1), bias('c', [0, 0, 0])],
      ),
    );
    expect(() => convertKerasToOnnx(strided, { inputRange: RAW, outputRange: RAW })).toThrow(
      CapabilityError,
    );
    expect(() =>
      parseKerasLayersModel({ modelJson: new TextEncoder().encode('{oops'), shards: [] }),
    ).toThrow(/not valid JSON/);
  });

  test('reads model.json and shards from disk', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'upscale-tiny-'));
    try {
      const files = tinyKerasModel(
        [conv('c', 1, 3)],
        [kernel('c', 1, 1, 3, 3, (_h, _w, i, o) => (i === o ? 1 : 0)), bias('c', [0, 0, 0])],
      );
      const path = await writeTinyModel(directory, files);
      const loaded = await readKerasModelFiles(path);
      expect(loaded.shards[0]).toEqual(files.shards[0]!);
      await expect(readKerasModelFiles(join(directory, 'missing.json'))).rejects.toThrow(
        /cannot read model file/,
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
