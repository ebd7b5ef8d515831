import { float32ToFloat16 } from '@viwo/onnx';
import { type InferenceSession, Tensor } from 'onnxruntime-node';

/** One graph input as the session reports it. */
export interface InputSpec {
  name: string;
  type: string;
  shape: readonly (number | string)[];
}

/**
 * The inputs of a session, by name, read from `inputMetadata` — exports differ in dtypes
 * (int32/int64 ids, float/int64 timestep, fp16 weights), so nothing is assumed.
 */
export function describeInputs(session: InferenceSession): Map<string, InputSpec> {
  const specs = new Map<string, InputSpec>();
  const metadata = session.inputMetadata as unknown as readonly {
    name: string;
    isTensor: boolean;
    type?: string;
    shape?: readonly (number | string)[];
  }[];
  for (const entry of metadata) {
    specs.set(entry.name, {
      name: entry.name,
      type: entry.type ?? 'float32',
      shape: entry.shape ?? [],
    });
  }
  return specs;
}

/** Finds the first input whose name is one of `candidates`, failing with what the model has. */
export function requireInput(
  specs: Map<string, InputSpec>,
  candidates: string[],
  what: string,
): InputSpec {
  for (const name of candidates) {
    const spec = specs.get(name);
    if (spec) return spec;
  }
  throw new Error(
    `${what} has no input named ${candidates.join(' or ')} (inputs: ${[...specs.keys()].join(', ')})`,
  );
}

/** A float tensor in the element type the model wants (float32 or float16). */
export function floatTensor(data: Float32Array, dims: readonly number[], type: string): Tensor {
  if (type === 'float16') return float16Tensor(float32ToFloat16(data), dims);
  if (type !== 'float32') throw new Error(`unsupported float input type ${type}`);
  return new Tensor('float32', data, dims);
}

/**
 * A float16 tensor from raw half-precision bits. onnxruntime-common re-wraps Uint16Array data as a
 * `Float16Array` when the JS runtime has one (Bun does), but onnxruntime-node's native binding
 * does not recognise `Float16Array` views and reads 0 bytes; so the raw bits are kept as data.
 */
function float16Tensor(bits: Uint16Array, dims: readonly number[]): Tensor {
  const tensor = new Tensor('float16', bits, dims);
  if (!(tensor.data instanceof Uint16Array)) Object.assign(tensor, { cpuData: bits });
  return tensor;
}

/** Integer ids as int32 or int64, shape [rows, columns]. */
export function idsTensor(rows: readonly (readonly number[])[], type: string): Tensor {
  const columns = rows[0]?.length ?? 0;
  const flat = rows.flat();
  if (type === 'int64')
    return new Tensor(
      'int64',
      BigInt64Array.from(flat, (id) => BigInt(id)),
      [rows.length, columns],
    );
  if (type === 'int32') return new Tensor('int32', Int32Array.from(flat), [rows.length, columns]);
  throw new Error(`unsupported input_ids type ${type}`);
}

/**
 * The UNet timestep in the export's form: int64/int32 (rounded) or float, as a scalar when the
 * declared shape is rank 0, else shape [batch] or [1].
 */
export function timestepTensor(timestep: number, spec: InputSpec, batch: number): Tensor {
  const first = spec.shape[0];
  const dims = spec.shape.length === 0 ? [] : [typeof first === 'number' ? first : batch];
  const count = dims.length === 0 ? 1 : dims[0]!;
  if (spec.type === 'int64')
    return new Tensor('int64', new BigInt64Array(count).fill(BigInt(Math.round(timestep))), dims);
  if (spec.type === 'int32')
    return new Tensor('int32', new Int32Array(count).fill(Math.round(timestep)), dims);
  return floatTensor(new Float32Array(count).fill(timestep), dims, spec.type);
}

/** Output data as float32 (converting from float16 when the export is half precision). */
export function tensorToFloat32(tensor: Tensor): Float32Array {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') {
    const data = tensor.data as unknown;
    // Raw bits (Uint16Array) or a runtime Float16Array view of the same values.
    return data instanceof Uint16Array
      ? float16ToFloat32(data)
      : Float32Array.from(data as ArrayLike<number>);
  }
  throw new Error(`unexpected output type ${tensor.type}`);
}

/** IEEE half → single precision. */
export function float16ToFloat32(values: Uint16Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let index = 0; index < values.length; index++) {
    const bits = values[index]!;
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const mantissa = bits & 0x3ff;
    if (exponent === 0) out[index] = sign * 2 ** -14 * (mantissa / 1024);
    else if (exponent === 31) out[index] = mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    else out[index] = sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
  }
  return out;
}

/** Runs a session and returns the named output, with a clear error naming the model part. */
export async function runForOutput(
  session: InferenceSession,
  feeds: Record<string, Tensor>,
  outputName: string,
  what: string,
): Promise<Tensor> {
  let results: InferenceSession.ReturnType;
  try {
    results = await session.run(feeds);
  } catch (error) {
    throw new Error(`${what} failed: ${(error as Error).message.split('\n')[0]}`);
  }
  const output = results[outputName];
  if (!output) throw new Error(`${what} produced no output '${outputName}'`);
  return output as Tensor;
}
