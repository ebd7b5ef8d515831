/**
 * Generates Blockly block definitions and the toolbox from server metadata (`get_opcodes` and
 * `get_capability_metadata`). Pure: no DOM and no Blockly import, so a plugin that adds a
 * capability gets blocks with no client change and the generator is unit-testable.
 */

import type { CapabilityMetadata, CapabilityMethodMetadata, OpcodeMetadata } from '@viwo/protocol';
import {
  argInput,
  BLOCK,
  type BlockCatalog,
  CAP_INPUT,
  type PositionalSpec,
  type ValueInputSpec,
} from './block-specs.ts';
import {
  type Builder,
  CATEGORY_HUES,
  categoryHue,
  define,
  isControlOpcode,
  methodBlockType,
  opcodeBlockType,
  VARIABLES_CATEGORY,
  VARIADIC_MUTATOR,
} from './block-types.ts';
import type {
  BlockDefinitionJson,
  SerializedInput,
  ToolboxBlockJson,
  ToolboxCategoryJson,
} from './blockly-json.ts';
import { controlDefinition, defineFixedBlocks } from './fixed-blocks.ts';
import { defaultInput, paramShadow, valueInputArgs } from './param-shadows.ts';

export {
  categoryHue,
  methodBlockType,
  opcodeBlockType,
  SEED_EXTENSION,
  VARIABLES_CATEGORY,
  VARIADIC_MUTATOR,
} from './block-types.ts';

function addOpcode(
  builder: Builder,
  info: OpcodeMetadata,
  toolbox: Map<string, ToolboxBlockJson[]>,
): string {
  const hue = categoryHue(info.category);
  const type = opcodeBlockType(info.opcode);
  const entries = toolbox.get(info.category) ?? [];
  toolbox.set(info.category, entries);
  if (isControlOpcode(info.opcode)) {
    define(builder, controlDefinition(info, hue), { kind: 'control', opcode: info.opcode });
    entries.push({ kind: 'block', type });
    return type;
  }
  const params = info.params;
  const repeating = info.variadic && params.length > 0 ? params[params.length - 1] : undefined;
  const fixedParams = repeating ? params.slice(0, -1) : params;
  const fixed: ValueInputSpec[] = fixedParams.map((param, index) => {
    const spec: ValueInputSpec = { input: argInput(index), param };
    const shadow = paramShadow(builder, info.opcode, param);
    if (shadow) spec.shadow = shadow;
    return spec;
  });
  let variadic: ValueInputSpec | undefined;
  if (repeating) {
    variadic = { input: argInput(fixed.length), param: repeating };
    const shadow = paramShadow(builder, info.opcode, repeating);
    if (shadow) variadic.shadow = shadow;
  }
  const { message, args } = valueInputArgs(fixed);
  const definition: BlockDefinitionJson = {
    type,
    message0: message ? `${info.label.replaceAll('%', '%%')} ${message}` : info.label,
    args0: args,
    output: null,
    inputsInline: fixed.length <= 2 && !variadic,
    colour: hue,
    tooltip: info.description,
  };
  if (variadic) definition.mutator = VARIADIC_MUTATOR;
  define(
    builder,
    definition,
    variadic
      ? { kind: 'opcode', opcode: info.opcode, fixed, variadic }
      : { kind: 'opcode', opcode: info.opcode, fixed },
  );
  const entry: ToolboxBlockJson = { kind: 'block', type };
  const inputs: Record<string, SerializedInput> = {};
  for (const spec of fixed) {
    const input = defaultInput(builder, spec);
    if (input) inputs[spec.input] = input;
  }
  if (Object.keys(inputs).length > 0) entry.inputs = inputs;
  if (variadic) entry.extraState = { items: 2 };
  entries.push(entry);
  return type;
}

function addMethod(
  builder: Builder,
  capability: CapabilityMetadata,
  method: CapabilityMethodMetadata,
  entries: ToolboxBlockJson[],
): string {
  const owner = `${capability.type}.${method.name}`;
  const type = methodBlockType(capability.type, method.name);
  const positional: PositionalSpec[] = [];
  const inputs: ValueInputSpec[] = [];
  for (const param of method.params) {
    if (param.type === 'object' && param.fields && param.fields.length > 0) {
      const fields: ValueInputSpec[] = param.fields.map((field) => {
        const spec: ValueInputSpec = {
          input: `${param.name}.${field.name}`,
          param: { ...field, optional: true },
        };
        const shadow = paramShadow(builder, `${owner}.${param.name}`, field);
        if (shadow) spec.shadow = shadow;
        return spec;
      });
      positional.push({ kind: 'options', param, fields });
      inputs.push(...fields);
    } else {
      const spec: ValueInputSpec = { input: `ARG_${param.name}`, param };
      const shadow = paramShadow(builder, owner, param);
      if (shadow) spec.shadow = shadow;
      positional.push({ kind: 'value', ...spec });
      inputs.push(spec);
    }
  }
  const { message, args } = valueInputArgs(inputs);
  const hue = categoryHue(`capability:${capability.type}`);
  define(
    builder,
    {
      type,
      message0: `${method.label.replaceAll('%', '%%')} %1${message ? ` ${message.replace(/%(\d+)/g, (_, n: string) => `%${Number(n) + 1}`)}` : ''}`,
      args0: [{ type: 'input_value', name: CAP_INPUT, align: 'RIGHT' }, ...args],
      output: null,
      inputsInline: false,
      colour: hue,
      tooltip: `${capability.label}: ${method.description}`,
    },
    { kind: 'method', capabilityType: capability.type, method: method.name, positional },
  );
  const defaults: Record<string, SerializedInput> = {};
  for (const spec of inputs) {
    const input = defaultInput(builder, spec);
    if (input) defaults[spec.input] = input;
  }
  entries.push({
    kind: 'block',
    type,
    ...(Object.keys(defaults).length > 0 ? { inputs: defaults } : {}),
  });
  return type;
}

/**
 * Builds every block definition, the toolbox and the conversion tables.
 * Invariant: one block per opcode and one per capability method, plus a fixed set of literal and
 * wrapper blocks; a block type never depends on anything but the metadata entry it comes from.
 */
export function generateBlocks(
  opcodes: readonly OpcodeMetadata[],
  capabilities: readonly CapabilityMetadata[],
): BlockCatalog {
  const builder: Builder = { definitions: [], specs: new Map() };
  defineFixedBlocks(builder);
  const opcodeBlocks = new Map<string, string>();
  const methodBlocks = new Map<string, string>();
  const methodsByName = new Map<string, string[]>();
  const byCategory = new Map<string, ToolboxBlockJson[]>();
  for (const info of opcodes) {
    if (opcodeBlocks.has(info.opcode)) continue;
    opcodeBlocks.set(info.opcode, addOpcode(builder, info, byCategory));
  }
  const categories: ToolboxCategoryJson[] = [];
  const valueEntries: ToolboxBlockJson[] = [
    BLOCK.number,
    BLOCK.text,
    BLOCK.boolean,
    BLOCK.null,
    BLOCK.seed,
    BLOCK.raw,
    BLOCK.do,
    BLOCK.statementValue,
  ].map((type) => ({ kind: 'block', type }));
  categories.push({
    kind: 'category',
    name: 'Values',
    colour: String(CATEGORY_HUES.values),
    contents: valueEntries,
  });
  categories.push({
    kind: 'category',
    name: 'Variables',
    colour: String(CATEGORY_HUES.variables),
    custom: VARIABLES_CATEGORY,
  });
  for (const [category, contents] of byCategory) {
    // Variable blocks live in Blockly's dynamic Variables category instead.
    const visible = contents.filter(
      (entry) =>
        entry.type !== opcodeBlockType('std.var') &&
        entry.type !== opcodeBlockType('std.let') &&
        entry.type !== opcodeBlockType('std.set'),
    );
    if (visible.length === 0) continue;
    categories.push({
      kind: 'category',
      name: category,
      colour: String(categoryHue(category)),
      contents: visible,
    });
  }
  for (const capability of capabilities) {
    const entries: ToolboxBlockJson[] = [];
    for (const method of capability.methods) {
      const key = `${capability.type}.${method.name}`;
      if (methodBlocks.has(key)) continue;
      const type = addMethod(builder, capability, method, entries);
      methodBlocks.set(key, type);
      const same = methodsByName.get(method.name) ?? [];
      same.push(type);
      methodsByName.set(method.name, same);
    }
    categories.push({
      kind: 'category',
      name: capability.label || capability.type,
      colour: String(categoryHue(`capability:${capability.type}`)),
      contents: entries,
    });
  }
  return {
    definitions: builder.definitions,
    toolbox: { kind: 'categoryToolbox', contents: categories },
    specs: builder.specs,
    opcodeBlocks,
    methodBlocks,
    methodsByName,
  };
}
