/**
 * The generator and conversions against the real standard library metadata of `@viwo/script`
 * (what `get_opcodes` serves), through real headless Blockly.
 */
import { describe, expect, test } from 'bun:test';
import type { OpcodeMetadata } from '@viwo/protocol';
import { check, opcodeMetadata } from '@viwo/script';
import * as Blockly from 'blockly/core';
import fc from 'fast-check';
import { generateBlocks, opcodeBlockType } from '../src/blocks/block-generator.ts';
import type { SerializedWorkspace } from '../src/blocks/blockly-json.ts';
import { installCatalog } from '../src/blocks/blockly-setup.ts';
import { blocksToScript } from '../src/blocks/blocks-to-script.ts';
import { jsonEqual, scriptToBlocks } from '../src/blocks/script-to-blocks.ts';
import { CAPABILITIES } from './blocks-metadata-fixture.ts';

const opcodes = opcodeMetadata() as OpcodeMetadata[];
const catalog = generateBlocks(opcodes, CAPABILITIES);

type LoadState = Parameters<typeof Blockly.serialization.workspaces.load>[0];

function throughBlockly(script: unknown): unknown {
  installCatalog(catalog);
  const workspace = new Blockly.Workspace();
  try {
    Blockly.serialization.workspaces.load(scriptToBlocks(script, catalog) as LoadState, workspace);
    const saved = Blockly.serialization.workspaces.save(workspace) as SerializedWorkspace;
    return blocksToScript(JSON.parse(JSON.stringify(saved)), catalog).script;
  } finally {
    workspace.dispose();
  }
}

/** Calls of every std opcode with an arity its metadata allows, nested. */
const { expr } = fc.letrec<{ expr: unknown }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.integer({ min: -50, max: 50 }), fc.string({ maxLength: 5 }), fc.boolean()),
    fc.constantFrom('x', 'y').map((name) => ['std.var', name]),
    fc.constantFrom(...opcodes).chain((info) => {
      const repeating = info.variadic ? 1 : 0;
      const fixed = info.params.length - repeating;
      const required = info.params.slice(0, fixed).filter((param) => !param.optional).length;
      return fc
        .array(tie('expr'), { minLength: required, maxLength: fixed + repeating * 2 })
        .map((args) => [info.opcode, ...args]);
    }),
  ),
}));

describe('blocks from the real standard library metadata', () => {
  test('every std opcode gets a block', () => {
    expect(opcodes.length).toBeGreaterThan(50);
    for (const info of opcodes) {
      expect(catalog.specs.has(opcodeBlockType(info.opcode))).toBe(true);
    }
  });

  test('well-formed control flow gets its statement blocks, and checks clean', () => {
    const script = [
      'std.seq',
      ['std.let', 'total', 0],
      [
        'std.for',
        'n',
        ['list.new', 1, 2, 3],
        ['std.set', 'total', ['+', ['std.var', 'total'], ['std.var', 'n']]],
      ],
      ['std.try', ['std.throw', 'boom'], 'e', ['str.concat', 'caught ', ['std.var', 'e']]],
      ['std.if', ['>', ['std.var', 'total'], 5], 'big', 'small'],
    ];
    expect(check(script).errors).toEqual([]);
    const types = JSON.stringify(scriptToBlocks(script, catalog));
    for (const opcode of ['std.seq', 'std.let', 'std.for', 'std.set', 'std.try', 'std.if']) {
      expect(types).toContain(`"type":"${opcodeBlockType(opcode)}"`);
    }
    expect(types).not.toContain('"type":"viwo_raw"');
    expect(throughBlockly(script)).toEqual(script);
  });

  test('property: scripts over every std opcode survive script → Blockly → script', () => {
    fc.assert(
      fc.property(expr, (script) => {
        expect(jsonEqual(throughBlockly(script), script)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
