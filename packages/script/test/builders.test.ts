import { expect, test } from 'bun:test';
import {
  BoolLib,
  type CallBuilder,
  call,
  evaluate,
  JsonLib,
  ListLib,
  MathLib,
  ObjLib,
  StdLib,
  StrLib,
  stdMetadata,
} from '../src/index.ts';

test('builders produce the JSON form and run', async () => {
  const script = StdLib.seq(
    StdLib.let('xs', ListLib.new(1, 2, 3)),
    StdLib.let(
      'doubled',
      ListLib.map(StdLib.var('xs'), StdLib.lambda(['x'], MathLib.mul(StdLib.var('x'), 2))),
    ),
    ObjLib.get(
      ObjLib.merge(
        { a: 1 },
        {
          total: ListLib.reduce(
            StdLib.var('doubled'),
            StdLib.lambda(['acc', 'x'], MathLib.add(StdLib.var('acc'), StdLib.var('x'))),
            0,
          ),
        },
      ),
      'a',
    ),
  );
  expect(script[0]).toBe('std.seq');
  expect((await evaluate(script)).value).toBe(1);
  expect((await evaluate(BoolLib.and(BoolLib.lt(1, 2), StrLib.upper('x')))).value).toBe(true);
  expect((await evaluate(MathLib.pow(2, 3, 2))).value).toBe(512);
  expect(call('upscale.run', 1)).toEqual(['upscale.run', 1]);
});

test('every standard opcode has a builder', () => {
  const built = new Set<string>();
  for (const family of [StdLib, ListLib, ObjLib, StrLib, JsonLib, MathLib, BoolLib]) {
    for (const builder of Object.values(family) as CallBuilder[]) built.add(builder()[0]);
  }
  const missing = stdMetadata.map((metadata) => metadata.opcode).filter((name) => !built.has(name));
  expect(missing).toEqual([]);
});
