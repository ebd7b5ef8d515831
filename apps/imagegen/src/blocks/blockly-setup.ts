/**
 * Installs a generated catalog into Blockly: block definitions, the variadic mutator, the seed
 * randomise button and the variables flyout. Browser only (Blockly renders SVG); everything it
 * installs comes from `generateBlocks`, so a new capability needs no change here.
 */
import * as Blockly from 'blockly/core';
import * as En from 'blockly/msg/en';
import {
  opcodeBlockType,
  SEED_EXTENSION,
  VARIABLES_CATEGORY,
  VARIADIC_MUTATOR,
} from './block-generator.ts';
import { argInput, type BlockCatalog, VALUE_FIELD, variadicItems } from './block-specs.ts';
import type { Json } from './blockly-json.ts';
import { defaultFields } from './literal-values.ts';

let installedCatalog: BlockCatalog | undefined;
let localeSet = false;

const DICE_ICON =
  'data:image/svg+xml;utf8,' +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16"><rect x="1" y="1" width="14" height="14" rx="3" fill="#fff" stroke="#333"/><circle cx="5" cy="5" r="1.4" fill="#333"/><circle cx="11" cy="11" r="1.4" fill="#333"/><circle cx="8" cy="8" r="1.4" fill="#333"/></svg>',
  );

/** A uniformly random 32-bit seed (crypto-backed so repeated clicks do not correlate). */
export function randomSeed(): number {
  const buffer = new Uint32Array(1);
  crypto.getRandomValues(buffer);
  return buffer[0]!;
}

interface VariadicBlock extends Blockly.BlockSvg {
  itemCount: number;
  updateShape(): void;
}

function variadicSpec(block: Blockly.Block) {
  const spec = installedCatalog?.specs.get(block.type);
  return spec?.kind === 'opcode' && spec.variadic ? spec : undefined;
}

const variadicMixin = {
  saveExtraState(this: VariadicBlock): { items: number } {
    return { items: this.itemCount };
  },
  loadExtraState(this: VariadicBlock, state: Json): void {
    this.itemCount = variadicItems(state);
    this.updateShape();
  },
  updateShape(this: VariadicBlock): void {
    const spec = variadicSpec(this);
    if (!spec?.variadic) return;
    const first = spec.fixed.length;
    for (let index = first + this.itemCount; this.getInput(argInput(index)); index++) {
      this.removeInput(argInput(index));
    }
    for (let item = 0; item < this.itemCount; item++) {
      const name = argInput(first + item);
      if (this.getInput(name)) continue;
      const label = `${spec.variadic.param.label ?? spec.variadic.param.name} ${item + 1}`;
      const input = this.appendValueInput(name).setAlign(Blockly.inputs.Align.RIGHT);
      input.appendField(label);
      const shadow = spec.variadic.shadow;
      const shadowSpec = shadow ? installedCatalog?.specs.get(shadow) : undefined;
      if (shadow && shadowSpec?.kind === 'literal' && !this.isInFlyout) {
        input.connection?.setShadowState({
          type: shadow,
          fields: defaultFields(shadowSpec.literal, spec.variadic.param),
        });
      }
    }
  },
  customContextMenu(
    this: VariadicBlock,
    options: (
      | Blockly.ContextMenuRegistry.ContextMenuOption
      | Blockly.ContextMenuRegistry.LegacyContextMenuOption
    )[],
  ): void {
    if (this.isInFlyout) return;
    options.push({
      text: 'Add argument',
      enabled: true,
      callback: () => {
        this.itemCount++;
        this.updateShape();
      },
    } as Blockly.ContextMenuRegistry.LegacyContextMenuOption);
    options.push({
      text: 'Remove last argument',
      enabled: this.itemCount > 0,
      callback: () => {
        this.itemCount = Math.max(0, this.itemCount - 1);
        this.updateShape();
      },
    } as Blockly.ContextMenuRegistry.LegacyContextMenuOption);
  },
};

function registerOnce(): void {
  if (!localeSet) {
    Blockly.setLocale(En as unknown as Record<string, string>);
    localeSet = true;
  }
  if (!Blockly.Extensions.isRegistered(VARIADIC_MUTATOR)) {
    Blockly.Extensions.registerMutator(
      VARIADIC_MUTATOR,
      variadicMixin,
      function (this: VariadicBlock) {
        this.itemCount = 0;
      },
    );
  }
  if (!Blockly.Extensions.isRegistered(SEED_EXTENSION)) {
    Blockly.Extensions.register(SEED_EXTENSION, function (this: Blockly.Block) {
      const input = this.inputList[0];
      if (!input) return;
      input.appendField(
        new Blockly.FieldImage(DICE_ICON, 16, 16, 'randomise', () => {
          this.setFieldValue(randomSeed(), VALUE_FIELD);
        }),
      );
    });
  }
}

/** Defines (or redefines, after the server's metadata changed) every block of the catalog. */
export function installCatalog(catalog: BlockCatalog): void {
  registerOnce();
  installedCatalog = catalog;
  for (const definition of catalog.definitions) delete Blockly.Blocks[definition.type];
  Blockly.common.defineBlocksWithJsonArray(catalog.definitions);
}

/** Flyout contents of the variables category: create button plus let/set/get per variable. */
export function registerVariablesFlyout(workspace: Blockly.WorkspaceSvg): void {
  workspace.registerButtonCallback('VIWO_CREATE_VARIABLE', (button) => {
    Blockly.Variables.createVariableButtonHandler(button.getTargetWorkspace());
  });
  workspace.registerToolboxCategoryCallback(VARIABLES_CATEGORY, (target) => {
    const items: Blockly.utils.toolbox.FlyoutItemInfoArray = [
      { kind: 'button', text: 'Create variable…', callbackkey: 'VIWO_CREATE_VARIABLE' },
    ];
    const offered = new Set(installedCatalog?.opcodeBlocks.keys());
    for (const variable of target.getVariableMap().getAllVariables()) {
      const fields = { VAR: { id: variable.getId() } };
      for (const opcode of ['std.let', 'std.set', 'std.var']) {
        if (offered.has(opcode)) {
          items.push({ kind: 'block', type: opcodeBlockType(opcode), fields });
        }
      }
    }
    return items;
  });
}
