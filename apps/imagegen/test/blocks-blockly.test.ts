/**
 * The conversions against real Blockly (headless workspace; Blockly's node build uses jsdom):
 * every generated definition and toolbox entry is accepted, and scripts survive
 * script → blocks → Blockly load → Blockly save → script.
 */
import { describe, expect, test } from 'bun:test';
import * as Blockly from 'blockly/core';
import fc from 'fast-check';
import { generateBlocks } from '../src/blocks/block-generator.ts';
import type { SerializedWorkspace } from '../src/blocks/blockly-json.ts';
import { installCatalog } from '../src/blocks/blockly-setup.ts';
import { blocksToScript } from '../src/blocks/blocks-to-script.ts';
import { jsonEqual, scriptToBlocks } from '../src/blocks/script-to-blocks.ts';
import { BUILTIN_TEMPLATES } from '../src/templates/builtin-templates.ts';
import { CAPABILITIES, OPCODES } from './blocks-metadata-fixture.ts';
import { scriptArbitrary } from './blocks-script-arbitrary.ts';

const catalog = generateBlocks(OPCODES, CAPABILITIES);

type LoadState = Parameters<typeof Blockly.serialization.workspaces.load>[0];

function throughBlockly(script: unknown): unknown {
  // Block definitions are global to Blockly; other suites install their own catalogs.
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

describe('real Blockly', () => {
  test('every toolbox entry instantiates', () => {
    installCatalog(catalog);
    const workspace = new Blockly.Workspace();
    let count = 0;
    for (const category of catalog.toolbox.contents) {
      for (const entry of category.contents ?? []) {
        const { kind: _kind, ...state } = entry;
        const block = Blockly.serialization.blocks.append(state, workspace);
        expect(block.type).toBe(entry.type);
        count++;
      }
    }
    expect(count).toBeGreaterThan(OPCODES.length);
    workspace.dispose();
  });

  test('variadic blocks get their repeated inputs from extra state', () => {
    installCatalog(catalog);
    const workspace = new Blockly.Workspace();
    const block = Blockly.serialization.blocks.append(
      { type: 'viwo_op:+', extraState: { items: 3 } },
      workspace,
    );
    expect(block.inputList.map((input) => input.name)).toEqual([
      'ARG0',
      'ARG1',
      'ARG2',
      'ARG3',
      'ARG4',
    ]);
    expect(Blockly.serialization.blocks.save(block)?.extraState).toEqual({ items: 3 });
    workspace.dispose();
  });

  test('built-in templates survive a trip through Blockly', () => {
    for (const template of BUILTIN_TEMPLATES) {
      expect(throughBlockly(template.script)).toEqual(template.script as never);
    }
  });

  test('property: generated scripts survive a trip through Blockly', () => {
    fc.assert(
      fc.property(scriptArbitrary, (script) => {
        expect(jsonEqual(throughBlockly(script), script)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
