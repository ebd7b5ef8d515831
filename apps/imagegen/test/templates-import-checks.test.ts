import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { sameWorkflow, unknownOpcodes } from '../src/templates/import-checks.ts';

const known = new Set(['std.seq', 'std.call_method', 'get_capability', 'list.new', 'std.lambda']);

describe('template import checks', () => {
  test('unknown dotted call heads are reported once, sorted; quoted data is not code', () => {
    const script = [
      'std.seq',
      ['foo.bar', 1],
      ['list.new', ['acme.paint', ['foo.bar']]],
      ['std.quote', [['not.code', 1]]],
      ['std.lambda', ['x'], ['std.var', 'x']],
    ];
    expect(unknownOpcodes(script, known)).toEqual(['acme.paint', 'foo.bar', 'std.var']);
  });

  test('a script made only of known opcodes reports nothing', () => {
    fc.assert(
      fc.property(
        fc.letrec((tie) => ({
          node: fc.oneof(
            { depthSize: 'small' },
            fc.integer(),
            fc.string(),
            fc
              .tuple(fc.constantFrom(...known), fc.array(tie('node'), { maxLength: 3 }))
              .map(([head, rest]) => [head, ...rest]),
          ),
        })).node,
        (script) => {
          expect(unknownOpcodes(script, known)).toEqual([]);
        },
      ),
    );
  });

  test('the same workflow is found among stored templates', () => {
    const stored = [
      { id: 'a', script: ['std.seq', 1] },
      { id: 'b', script: ['std.seq', 2] },
    ];
    expect(sameWorkflow(stored, ['std.seq', 2])?.id).toBe('b');
    expect(sameWorkflow(stored, ['std.seq', 3])).toBeUndefined();
  });
});
