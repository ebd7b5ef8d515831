import { onnx } from 'onnx-proto';

/** Element types we emit; values are ONNX TensorProto.DataType codes. */
export type TensorDataType = 'float32' | 'float16' | 'int64' | 'int32';

const DATA_TYPE_CODE: Record<TensorDataType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float16: onnx.TensorProto.DataType.FLOAT16,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
};

/** One dimension: a fixed size, or a symbolic name (dynamic axis). */
export type Dimension = number | string;

/** Attribute values accepted by {@link GraphBuilder.node}. */
export type AttributeValue = number | string | number[] | { float: number } | { floats: number[] };

/**
 * Builds an ONNX model in memory and serialises it to protobuf bytes.
 *
 * Invariant: every tensor name is unique within the graph; `uniqueName` hands out fresh ones so
 * callers composing sub-graphs (converters, tiny-model generators) never collide with I/O names.
 */
export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly usedNames = new Set<string>();
  private counter = 0;

  /** @param name graph name; @param opset default-domain opset version (17 covers every op we use). */
  constructor(
    private readonly name: string,
    private readonly opset = 17,
  ) {}

  /** Returns a name not used before in this graph, derived from `prefix`. */
  uniqueName(prefix: string): string {
    let candidate = prefix;
    while (this.usedNames.has(candidate)) candidate = `${prefix}_${++this.counter}`;
    this.usedNames.add(candidate);
    return candidate;
  }

  /** Declares a graph input. The name is reserved exactly as given. */
  input(name: string, dataType: TensorDataType, shape: Dimension[]): string {
    this.reserve(name);
    this.inputs.push(valueInfo(name, dataType, shape));
    return name;
  }

  /** Declares a graph output produced by `from` (an Identity node keeps the public name distinct). */
  output(name: string, from: string, dataType: TensorDataType, shape: Dimension[]): string {
    this.reserve(name);
    this.nodes.push({ opType: 'Identity', input: [from], output: [name], name: `${name}_out` });
    this.outputs.push(valueInfo(name, dataType, shape));
    return name;
  }

  /** Adds a constant tensor (weights). Float data is stored raw little-endian. */
  initializer(
    prefix: string,
    dataType: TensorDataType,
    dims: number[],
    values: ArrayLike<number> | ArrayLike<bigint>,
  ): string {
    const name = this.uniqueName(prefix);
    this.initializers.push(tensorProto(name, dataType, dims, values));
    return name;
  }

  /** Adds a node; returns its output names (fresh unique names derived from the op type). */
  node(
    opType: string,
    inputs: string[],
    attributes: Record<string, AttributeValue> = {},
    outputCount = 1,
    outputPrefix = opType.toLowerCase(),
  ): string[] {
    const outputs = Array.from({ length: outputCount }, () => this.uniqueName(outputPrefix));
    this.nodes.push({
      opType,
      input: inputs,
      output: outputs,
      name: this.uniqueName(`${opType}_node`),
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    return outputs;
  }

  /** Single-output convenience for {@link node}. */
  op(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}): string {
    return this.node(opType, inputs, attributes)[0]!;
  }

  /** Serialises the model to ONNX protobuf bytes. */
  toBytes(): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'viwo-imagegen',
      opsetImport: [{ domain: '', version: this.opset }],
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  private reserve(name: string): void {
    if (this.usedNames.has(name)) throw new Error(`duplicate tensor name '${name}' in graph`);
    this.usedNames.add(name);
  }
}

function valueInfo(
  name: string,
  dataType: TensorDataType,
  shape: Dimension[],
): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: DATA_TYPE_CODE[dataType],
        shape: {
          dim: shape.map((dim) =>
            typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim },
          ),
        },
      },
    },
  };
}

function tensorProto(
  name: string,
  dataType: TensorDataType,
  dims: number[],
  values: ArrayLike<number> | ArrayLike<bigint>,
): onnx.ITensorProto {
  const count = dims.reduce((product, dim) => product * dim, 1);
  if (values.length !== count) {
    throw new Error(`initializer '${name}': ${values.length} values for shape [${dims}]`);
  }
  let raw: Uint8Array;
  if (dataType === 'float32')
    raw = new Uint8Array(Float32Array.from(values as ArrayLike<number>).buffer);
  else if (dataType === 'int32')
    raw = new Uint8Array(Int32Array.from(values as ArrayLike<number>).buffer);
  else if (dataType === 'int64') {
    const big = BigInt64Array.from(
      Array.from(values as ArrayLike<number | bigint>, (v) => BigInt(v)),
    );
    raw = new Uint8Array(big.buffer);
  } else {
    raw = new Uint8Array(float32ToFloat16(Float32Array.from(values as ArrayLike<number>)).buffer);
  }
  return { name, dataType: DATA_TYPE_CODE[dataType], dims, rawData: raw };
}

function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  const type = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string')
    return { name, type: type.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return { name, type: type.FLOAT, f: value };
    return { name, type: type.INT, i: value };
  }
  if (Array.isArray(value)) return { name, type: type.INTS, ints: value };
  if ('float' in value) return { name, type: type.FLOAT, f: value.float };
  return { name, type: type.FLOATS, floats: value.floats };
}

/** IEEE half-precision conversion (round-to-nearest-even) for float16 initializers. */
export function float32ToFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  const floatView = new Float32Array(1);
  const intView = new Uint32Array(floatView.buffer);
  for (let index = 0; index < values.length; index++) {
    floatView[0] = values[index]!;
    const bits = intView[0]!;
    const sign = (bits >>> 16) & 0x8000;
    const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
    let mantissa = bits & 0x7fffff;
    if (exponent >= 31) out[index] = sign | 0x7c00;
    else if (exponent <= 0) {
      if (exponent < -10) out[index] = sign;
      else {
        mantissa = (mantissa | 0x800000) >> (1 - exponent);
        out[index] = sign | ((mantissa + 0x1000) >> 13);
      }
    } else out[index] = sign | (exponent << 10) | ((mantissa + 0x1000) >> 13);
  }
  return out;
}
