import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { generateBlocks, opcodeBlockType } from '../src/blocks/block-generator.ts';
import { BLOCK } from '../src/blocks/block-specs.ts';
import type { Json, SerializedBlock } from '../src/blocks/blockly-json.ts';
import { blockForPath, blocksToScript } from '../src/blocks/blocks-to-script.ts';
import { ConversionError } from '../src/blocks/conversion-error.ts';
import { jsonEqual, scriptToBlocks } from '../src/blocks/script-to-blocks.ts';
import { CAPABILITIES, OPCODES } from './blocks-metadata-fixture.ts';
import { scriptArbitrary } from './blocks-script-arbitrary.ts';

const catalog = generateBlocks(OPCODES, CAPABILITIES);

function roundTrip(script: unknown): Json {
  const workspace = JSON.parse(JSON.stringify(scriptToBlocks(script, catalog)));
  return blocksToScript(workspace, catalog).script;
}

function allBlocks(block: SerializedBlock | undefined): SerializedBlock[] {
  if (!block) return [];
  const inner = Object.values(block.inputs ?? {}).flatMap((input) => [
    ...allBlocks(input.block),
    ...allBlocks(input.shadow),
  ]);
  return [block, ...inner, ...allBlocks(block.next?.block)];
}

function blockTypes(script: unknown): string[] {
  const workspace = scriptToBlocks(script, catalog);
  return (workspace.blocks?.blocks ?? []).flatMap(allBlocks).map((block) => block.type);
}

describe('script ↔ blocks round trip', () => {
  test('property: script → blocks → script is the identity for generated scripts', () => {
    fc.assert(
      fc.property(scriptArbitrary, (script) => {
        expect(jsonEqual(roundTrip(script), script)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('property: arbitrary JSON values survive (kept raw where no block fits)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const normalised = JSON.parse(JSON.stringify(value));
        expect(jsonEqual(roundTrip(normalised), normalised)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  test('known forms get their blocks, not raw ones', () => {
    const script = [
      'std.seq',
      ['std.let', 'x', 2],
      [
        'std.call_method',
        ['get_capability', 'upscale'],
        'upscale',
        ['std.var', 'img'],
        { factor: 4 },
      ],
    ];
    const types = blockTypes(script);
    expect(types).toContain(opcodeBlockType('std.seq'));
    expect(types).toContain(opcodeBlockType('std.let'));
    expect(types).toContain('viwo_cap:upscale.upscale');
    expect(types).toContain('viwo_field:upscale.upscale.options:factor');
    expect(types).not.toContain(BLOCK.raw);
    expect(roundTrip(script)).toEqual(script);
  });

  test('std.try without a handler keeps its short form', () => {
    const script = ['std.try', ['std.throw', 'x']];
    expect(blockTypes(script)[0]).toBe(opcodeBlockType('std.try'));
    expect(roundTrip(script)).toEqual(script);
  });

  test('constructs with no block become raw-script blocks holding their JSON', () => {
    const script = ['std.seq', ['mystery.op', 1, [2]], ['std.if', true]];
    const workspace = scriptToBlocks(script, catalog);
    const raws = (workspace.blocks?.blocks ?? [])
      .flatMap(allBlocks)
      .filter((block) => block.type === BLOCK.raw);
    expect(raws.map((block) => JSON.parse(block.fields?.JSON as string))).toEqual([
      ['mystery.op', 1, [2]],
      ['std.if', true],
    ]);
    expect(roundTrip(script)).toEqual(script);
  });

  test('variables use Blockly variables; case-only differences stay raw', () => {
    const workspace = scriptToBlocks(['std.seq', ['std.let', 'a', 1], ['std.var', 'A']], catalog);
    expect(workspace.variables).toEqual([{ name: 'a', id: 'var:a' }]);
    expect(roundTrip(['std.seq', ['std.let', 'a', 1], ['std.var', 'A']])).toEqual([
      'std.seq',
      ['std.let', 'a', 1],
      ['std.var', 'A'],
    ]);
  });

  test('an edited chain of several statements in a branch becomes a std.seq', () => {
    const workspace = scriptToBlocks(['std.if', true, ['std.let', 'x', 1]], catalog);
    const top = workspace.blocks!.blocks[0]!;
    const then = top.inputs!.THEN!.block!;
    then.next = {
      block: {
        type: BLOCK.do,
        id: 'extra',
        inputs: { EXPR: { block: { type: BLOCK.number, fields: { VALUE: 5 } } } },
      },
    };
    expect(blocksToScript(workspace, catalog).script).toEqual([
      'std.if',
      true,
      ['std.seq', ['std.let', 'x', 1], 5],
    ]);
  });

  test('error paths map back to the block that produced them', () => {
    const script = [
      'std.seq',
      ['std.let', 'x', ['+', 1, ['std.var', 'y']]],
      [
        'std.call_method',
        ['get_capability', 'upscale'],
        'upscale',
        ['std.var', 'x'],
        { factor: 3 },
      ],
    ];
    const { sourceMap } = blocksToScript(scriptToBlocks(script, catalog), catalog);
    const find = (path: (string | number)[]) => {
      const id = blockForPath(sourceMap, path);
      const workspace = scriptToBlocks(script, catalog);
      return (workspace.blocks?.blocks ?? []).flatMap(allBlocks).find((block) => block.id === id);
    };
    expect(find([1, 2, 2])?.type).toBe(opcodeBlockType('std.var'));
    expect(find([1, 2])?.type).toBe(opcodeBlockType('+'));
    expect(find([2, 3])?.type).toBe(opcodeBlockType('std.var'));
    expect(find([2, 4, 'factor'])?.type).toContain('viwo_field:upscale.upscale.options:factor');
    expect(find([2, 4, 'factor', 'deeper'])?.type).toContain('factor');
    expect(find([])?.type).toBe(opcodeBlockType('std.seq'));
  });

  test('computed values in option fields are refused with the block named', () => {
    const workspace = scriptToBlocks(
      ['std.call_method', ['get_capability', 'upscale'], 'upscale', 1, { factor: 2 }],
      catalog,
    );
    const top = workspace.blocks!.blocks[0]!;
    top.inputs!['options.factor'] = {
      block: {
        type: opcodeBlockType('std.var'),
        id: 'v1',
        fields: { VAR: { id: 'nope', name: 'f' } },
      },
    };
    try {
      blocksToScript(workspace, catalog);
      throw new Error('expected a ConversionError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConversionError);
      expect((error as ConversionError).blockId).toBe('v1');
      expect((error as ConversionError).message).toContain('factor');
    }
  });

  test('a block type the server no longer offers is named in the error', () => {
    expect(() =>
      blocksToScript(
        { blocks: { languageVersion: 0, blocks: [{ type: 'viwo_cap:gone.method', id: 'g' }] } },
        catalog,
      ),
    ).toThrow('viwo_cap:gone.method');
  });

  test('empty workspace is null; extra top-level blocks are reported, not run', () => {
    expect(blocksToScript({}, catalog).script).toBeNull();
    const result = blocksToScript(
      {
        blocks: {
          languageVersion: 0,
          blocks: [
            { type: BLOCK.number, id: 'a', fields: { VALUE: 1 } },
            { type: BLOCK.number, id: 'b', fields: { VALUE: 2 } },
          ],
        },
      },
      catalog,
    );
    expect(result.script).toBe(1);
    expect(result.ignoredBlocks).toEqual(['b']);
  });
});
