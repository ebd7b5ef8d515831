/**
 * Naming and colouring shared by the generator's parts: block type names, category hues, the
 * names of the mutator/extension/flyout Blocks Mode registers, and the catalog builder.
 */

import type { BlockSpec, ControlOpcode } from './block-specs.ts';
import type { BlockDefinitionJson } from './blockly-json.ts';

/** Colour hues of well-known categories; others get a stable hue from their name. */
export const CATEGORY_HUES: Record<string, number> = {
  control: 210,
  logic: 210,
  variables: 330,
  values: 160,
  math: 230,
  arithmetic: 230,
  comparison: 190,
  list: 260,
  object: 290,
  string: 60,
  json: 20,
  canvas: 30,
  capability: 120,
  kernel: 0,
};

/** Stable hue (0–359) for a category name. */
export function categoryHue(category: string): number {
  const known = CATEGORY_HUES[category.toLowerCase()];
  if (known !== undefined) return known;
  let hash = 0;
  for (const char of category) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return hash % 360;
}

/** Mutator that gives generic variadic opcode blocks their repeated inputs (Blocks Mode registers it). */
export const VARIADIC_MUTATOR = 'viwo_variadic';
/** Extension that adds the randomise button to seed fields (Blocks Mode registers it). */
export const SEED_EXTENSION = 'viwo_seed_randomise';

/** Toolbox `custom` key of the dynamic variables flyout registered by Blocks Mode. */
export const VARIABLES_CATEGORY = 'VIWO_VARIABLES';

export const CONTROL_OPCODES: readonly ControlOpcode[] = [
  'std.seq',
  'std.if',
  'std.while',
  'std.for',
  'std.lambda',
  'std.try',
  'std.let',
  'std.set',
  'std.var',
];

export function isControlOpcode(opcode: string): opcode is ControlOpcode {
  return (CONTROL_OPCODES as readonly string[]).includes(opcode);
}

/** Block type of a generic or control opcode. */
export function opcodeBlockType(opcode: string): string {
  return `viwo_op:${opcode}`;
}

/** Block type of a capability method. */
export function methodBlockType(capabilityType: string, method: string): string {
  return `viwo_cap:${capabilityType}.${method}`;
}

/** Collects definitions and specs while the catalog is generated. */
export interface Builder {
  definitions: BlockDefinitionJson[];
  specs: Map<string, BlockSpec>;
}

/** Adds one block definition and its spec. */
export function define(builder: Builder, definition: BlockDefinitionJson, spec: BlockSpec): void {
  builder.definitions.push(definition);
  builder.specs.set(definition.type, spec);
}
