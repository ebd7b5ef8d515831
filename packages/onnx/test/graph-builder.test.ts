import { expect, test } from 'bun:test';
import * as ort from 'onnxruntime-node';
import { createSession, GraphBuilder } from '../src/index.ts';

test('a built Conv + Relu graph runs on onnxruntime with the expected values', async () => {
  const graph = new GraphBuilder('conv');
  const input = graph.input('pixels', 'float32', [1, 1, 3, 3]);
  const weight = graph.initializer('w', 'float32', [1, 1, 1, 1], [2]);
  const bias = graph.initializer('b', 'float32', [1], [-5]);
  const conv = graph.op('Conv', [input, weight, bias], { pads: [0, 0, 0, 0] });
  graph.output('result', graph.op('Relu', [conv]), 'float32', [1, 1, 3, 3]);
  const { session, provider } = await createSession(graph.toBytes(), { provider: 'cpu' });
  expect(provider).toBe('cpu');
  const data = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  const out = await session.run({ pixels: new ort.Tensor('float32', data, [1, 1, 3, 3]) });
  expect(Array.from(out.result!.data as Float32Array)).toEqual([0, 0, 0, 1, 3, 5, 7, 9, 11]);
});

test('float attributes survive encoding', async () => {
  const graph = new GraphBuilder('mul');
  const input = graph.input('x', 'float32', ['n']);
  const scale = graph.initializer('s', 'float32', [1], [0.5]);
  graph.output('y', graph.op('Mul', [input, scale]), 'float32', ['n']);
  const { session } = await createSession(graph.toBytes(), { provider: 'cpu' });
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([2, 4]), [2]) });
  expect(Array.from(out.y!.data as Float32Array)).toEqual([1, 2]);
});

test('duplicate I/O names are refused', () => {
  const graph = new GraphBuilder('dup');
  graph.input('x', 'float32', [1]);
  expect(() => graph.input('x', 'float32', [1])).toThrow(/duplicate/);
});
