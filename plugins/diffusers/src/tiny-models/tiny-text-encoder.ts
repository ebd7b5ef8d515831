import { GraphBuilder } from '@viwo/onnx';
import { TinyWeights } from './tiny-weights.ts';

/** Hidden size of every tiny text encoder (real SD uses 768 / 1024). */
export const TINY_TEXT_HIDDEN = 32;
/** Embedding rows; ids are folded with `mod` so CLIP's 49406/49407 still index the table. */
const TINY_TOKEN_ROWS = 512;
const MAX_POSITIONS = 77;
const ONNX_INT64 = 7;

/** Options for {@link buildTinyTextEncoder}. */
export interface TinyTextEncoderOptions {
  /** Element type of `input_ids` (Optimum exports int32; other exporters int64). */
  idsType: 'int32' | 'int64';
  seed: number;
  hidden?: number;
}

/**
 * A tiny CLIP-text-model stand-in with the real export contract:
 * `input_ids [batch, sequence]` → `last_hidden_state [batch, sequence, hidden]`,
 * `pooler_output [batch, hidden]`. Token + position embeddings, a dense tanh layer, a causal
 * running mean (so later positions see earlier tokens, as CLIP's causal attention does) and a
 * layer norm keep outputs unit-scaled and prompt-dependent at every position.
 */
export function buildTinyTextEncoder(options: TinyTextEncoderOptions): Uint8Array {
  const hidden = options.hidden ?? TINY_TEXT_HIDDEN;
  const weights = new TinyWeights(options.seed);
  const graph = new GraphBuilder('tiny_clip_text_model');
  const ids = graph.input('input_ids', options.idsType, ['batch', 'sequence']);
  const ids64 = options.idsType === 'int64' ? ids : graph.op('Cast', [ids], { to: ONNX_INT64 });
  const rows = graph.op('Mod', [ids64, graph.initializer('rows', 'int64', [], [TINY_TOKEN_ROWS])]);
  const tokenTable = graph.initializer(
    'token_embedding',
    'float32',
    [TINY_TOKEN_ROWS, hidden],
    weights.normal(TINY_TOKEN_ROWS * hidden, 1),
  );
  const tokens = graph.op('Gather', [tokenTable, rows]);
  // Positions: slice the table to the actual sequence length (a dynamic axis in the contract).
  const shape = graph.op('Shape', [ids]);
  const sequence = graph.op('Slice', [
    shape,
    graph.initializer('one', 'int64', [1], [1]),
    graph.initializer('two', 'int64', [1], [2]),
  ]);
  const zero = graph.initializer('zero', 'int64', [1], [0]);
  const positionTable = graph.initializer(
    'position_embedding',
    'float32',
    [MAX_POSITIONS, hidden],
    weights.normal(MAX_POSITIONS * hidden, 1, 0.5),
  );
  const positions = graph.op('Slice', [positionTable, zero, sequence, zero]);
  const embedded = graph.op('Add', [tokens, positions]);
  const dense = graph.op('Tanh', [
    graph.op('Add', [
      graph.op('MatMul', [
        embedded,
        graph.initializer(
          'dense_w',
          'float32',
          [hidden, hidden],
          weights.normal(hidden * hidden, hidden, 1.5),
        ),
      ]),
      graph.initializer('dense_b', 'float32', [hidden], weights.normal(hidden, 1, 0.1)),
    ]),
  ]);
  const inverseCounts = Array.from({ length: MAX_POSITIONS }, (_, index) => 1 / (index + 1));
  const countTable = graph.initializer(
    'inverse_counts',
    'float32',
    [MAX_POSITIONS, 1],
    inverseCounts,
  );
  const counts = graph.op('Slice', [countTable, zero, sequence, zero]);
  const running = graph.op('Mul', [
    graph.op('CumSum', [dense, graph.initializer('axis', 'int64', [], [1])]),
    counts,
  ]);
  const mixed = graph.op('Add', [
    dense,
    graph.op('MatMul', [
      running,
      graph.initializer(
        'mix_w',
        'float32',
        [hidden, hidden],
        weights.normal(hidden * hidden, hidden, 1.5),
      ),
    ]),
  ]);
  const normed = graph.op(
    'LayerNormalization',
    [
      mixed,
      graph.initializer('ln_scale', 'float32', [hidden], new Array(hidden).fill(1)),
      graph.initializer('ln_bias', 'float32', [hidden], new Array(hidden).fill(0)),
    ],
    { axis: -1, epsilon: { float: 1e-5 } },
  );
  graph.output('last_hidden_state', normed, 'float32', ['batch', 'sequence', hidden]);
  const pooled = graph.op('ReduceMean', [normed], { axes: [1], keepdims: 0 });
  graph.output('pooler_output', pooled, 'float32', ['batch', hidden]);
  return graph.toBytes();
}
