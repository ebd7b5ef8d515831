/**
 * Generates Blockly block definitions and the toolbox from server metadata (`get_opcodes` and
 * `get_capability_metadata`). Pure: no DOM and no Blockly import, so a plugin that adds a
 * capability gets blocks with no client change and the generator is unit-testable.
 */

import {
  argInput,
  BLOCK,
  type BlockCatalog,
  type BlockSpec,
  CAP_INPUT,
  type ControlOpcode,
  type LiteralSpec,
  type PositionalSpec,
  RAW_FIELD,
  VALUE_FIELD,
  type ValueInputSpec,
} from './block-specs.ts';
import type {
  BlockArgJson,
  BlockDefinitionJson,
  SerializedInput,
  ToolboxBlockJson,
  ToolboxCategoryJson,
} from './blockly-json.ts';
import { defaultFields, shadowDefault } from './literal-values.ts';
import type { CapabilityInfo, MethodInfo, OpcodeInfo, ParamInfo } from './metadata-types.ts';

/** Colour hues of well-known categories; others get a stable hue from their name. */
const CATEGORY_HUES: Record<string, number> = {
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

const CONTROL_OPCODES: readonly ControlOpcode[] = [
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

function isControlOpcode(opcode: string): opcode is ControlOpcode {
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

interface Builder {
  definitions: BlockDefinitionJson[];
  specs: Map<string, BlockSpec>;
}

function define(builder: Builder, definition: BlockDefinitionJson, spec: BlockSpec): void {
  builder.definitions.push(definition);
  builder.specs.set(definition.type, spec);
}

function defineFixedBlocks(builder: Builder): void {
  const hue = CATEGORY_HUES.values!;
  const literal = (
    type: string,
    message: string,
    args: BlockArgJson[],
    spec: LiteralSpec,
    tooltip: string,
    extensions?: string[],
  ) =>
    define(
      builder,
      {
        type,
        message0: message,
        args0: args,
        output: null,
        colour: hue,
        tooltip,
        ...(extensions ? { extensions } : {}),
      },
      { kind: 'literal', literal: spec },
    );
  literal(
    BLOCK.number,
    '%1',
    [{ type: 'field_number', name: VALUE_FIELD, value: 0 }],
    { kind: 'number', integer: false },
    'A number',
  );
  literal(
    BLOCK.text,
    '“ %1 ”',
    [{ type: 'field_input', name: VALUE_FIELD, text: '' }],
    { kind: 'text' },
    'A text value',
  );
  literal(
    BLOCK.boolean,
    '%1',
    [{ type: 'field_checkbox', name: VALUE_FIELD, checked: false }],
    { kind: 'boolean' },
    'True when ticked, false otherwise',
  );
  literal(BLOCK.null, 'null', [], { kind: 'null' }, 'No value');
  literal(
    BLOCK.seed,
    'seed %1',
    [{ type: 'field_number', name: VALUE_FIELD, value: 0, min: 0, max: 4294967295, precision: 1 }],
    { kind: 'number', min: 0, max: 4294967295, integer: true },
    'A random seed (click the dice to randomise)',
    [SEED_EXTENSION],
  );
  define(
    builder,
    {
      type: BLOCK.raw,
      message0: 'script %1',
      args0: [{ type: 'field_input', name: RAW_FIELD, text: 'null', spellcheck: false }],
      output: null,
      colour: 0,
      tooltip:
        'A script fragment kept as JSON because no block represents it; edit the JSON to change it',
    },
    { kind: 'literal', literal: { kind: 'raw' } },
  );
  define(
    builder,
    {
      type: BLOCK.do,
      message0: 'evaluate %1',
      args0: [{ type: 'input_value', name: 'EXPR' }],
      previousStatement: null,
      nextStatement: null,
      colour: CATEGORY_HUES.control!,
      tooltip: 'Evaluates a value as a step; the last step of a sequence is its result',
    },
    { kind: 'do' },
  );
  define(
    builder,
    {
      type: BLOCK.statementValue,
      message0: 'result of %1 %2',
      args0: [{ type: 'input_dummy' }, { type: 'input_statement', name: 'BODY' }],
      output: null,
      colour: CATEGORY_HUES.control!,
      tooltip: 'The value of the last step inside',
    },
    { kind: 'statementValue' },
  );
}

function controlDefinition(info: OpcodeInfo, hue: number): BlockDefinitionJson {
  const base = { type: opcodeBlockType(info.opcode), colour: hue, tooltip: info.description };
  const statement = { previousStatement: null, nextStatement: null };
  switch (info.opcode as ControlOpcode) {
    case 'std.seq':
      return {
        ...base,
        ...statement,
        message0: `${info.label} %1 %2`,
        args0: [{ type: 'input_dummy' }, { type: 'input_statement', name: 'BODY' }],
      };
    case 'std.if':
      return {
        ...base,
        ...statement,
        message0: 'if %1 then %2 else %3',
        args0: [
          { type: 'input_value', name: 'COND' },
          { type: 'input_statement', name: 'THEN' },
          { type: 'input_statement', name: 'ELSE' },
        ],
      };
    case 'std.while':
      return {
        ...base,
        ...statement,
        message0: 'while %1 do %2',
        args0: [
          { type: 'input_value', name: 'COND' },
          { type: 'input_statement', name: 'BODY' },
        ],
      };
    case 'std.for':
      return {
        ...base,
        ...statement,
        message0: 'for each %1 in %2 do %3',
        args0: [
          { type: 'field_variable', name: 'VAR', variable: 'item' },
          { type: 'input_value', name: 'LIST' },
          { type: 'input_statement', name: 'BODY' },
        ],
      };
    case 'std.try':
      return {
        ...base,
        ...statement,
        message0: 'try %1 on error %2 %3',
        args0: [
          { type: 'input_statement', name: 'TRY' },
          { type: 'field_variable', name: 'VAR', variable: 'error' },
          { type: 'input_statement', name: 'CATCH' },
        ],
      };
    case 'std.lambda':
      return {
        ...base,
        output: null,
        message0: 'function ( %1 ) %2',
        args0: [
          { type: 'field_input', name: 'PARAMS', text: '', spellcheck: false },
          { type: 'input_statement', name: 'BODY' },
        ],
      };
    case 'std.let':
    case 'std.set':
      return {
        ...base,
        ...statement,
        message0: `${info.opcode === 'std.let' ? 'let' : 'set'} %1 = %2`,
        args0: [
          { type: 'field_variable', name: 'VAR', variable: 'x' },
          { type: 'input_value', name: 'VALUE' },
        ],
      };
    case 'std.var':
      return {
        ...base,
        output: null,
        message0: '%1',
        args0: [{ type: 'field_variable', name: 'VAR', variable: 'x' }],
      };
  }
}

/**
 * Shadow block for a parameter: a literal block whose field matches the param's type (number
 * with min/max, dropdown for enums, checkbox, seed with randomise, text). Returns undefined for
 * params that only take sockets (images, masks, lists, objects, functions, anything).
 */
function paramShadow(builder: Builder, owner: string, param: ParamInfo): string | undefined {
  const hue = CATEGORY_HUES.values!;
  switch (param.type) {
    case 'number':
    case 'integer': {
      const integer = param.type === 'integer';
      if (param.min === undefined && param.max === undefined && !integer && !param.step) {
        return BLOCK.number;
      }
      const type = `viwo_field:${owner}:${param.name}`;
      const arg: BlockArgJson = { type: 'field_number', name: VALUE_FIELD, value: 0 };
      if (param.min !== undefined) arg.min = param.min;
      if (param.max !== undefined) arg.max = param.max;
      if (integer) arg.precision = param.step && Number.isInteger(param.step) ? param.step : 1;
      else if (param.step) arg.precision = param.step;
      const literal: LiteralSpec = { kind: 'number', integer };
      if (param.min !== undefined) literal.min = param.min;
      if (param.max !== undefined) literal.max = param.max;
      // Blockly rounds a number field to its precision, so only multiples of it may go there.
      if (arg.precision !== undefined) literal.step = arg.precision;
      arg.value = shadowDefault(literal, param) as number;
      define(
        builder,
        {
          type,
          message0: '%1',
          args0: [arg],
          output: null,
          colour: hue,
          tooltip: param.description ?? param.label ?? param.name,
        },
        { kind: 'literal', literal },
      );
      return type;
    }
    case 'enum': {
      const options = param.options ?? [];
      if (options.length === 0) return BLOCK.text;
      const type = `viwo_field:${owner}:${param.name}`;
      define(
        builder,
        {
          type,
          message0: '%1',
          args0: [
            {
              type: 'field_dropdown',
              name: VALUE_FIELD,
              options: options.map((option) => [String(option), String(option)]),
            },
          ],
          output: null,
          colour: hue,
          tooltip: param.description ?? param.label ?? param.name,
        },
        { kind: 'literal', literal: { kind: 'enum', options } },
      );
      return type;
    }
    case 'boolean':
      return BLOCK.boolean;
    case 'seed':
      return BLOCK.seed;
    case 'string':
    case 'text':
      return BLOCK.text;
    default:
      return undefined;
  }
}

function paramLabel(param: ParamInfo): string {
  const text = param.label ?? param.name;
  // `%` starts a Blockly message placeholder; escape it so labels never swallow an input.
  return text.replaceAll('%', '%%');
}

function valueInputArgs(inputs: ValueInputSpec[]): { message: string; args: BlockArgJson[] } {
  const args: BlockArgJson[] = [];
  const parts: string[] = [];
  for (const spec of inputs) {
    args.push({ type: 'input_value', name: spec.input, align: 'RIGHT' });
    parts.push(`${paramLabel(spec.param)}${spec.param.optional ? '?' : ''} %${args.length}`);
  }
  return { message: parts.join(' '), args };
}

/** Toolbox default for an input: a shadow with the param's default (optional params only if they have one). */
function defaultInput(builder: Builder, spec: ValueInputSpec): SerializedInput | undefined {
  if (!spec.shadow) return undefined;
  if (spec.param.optional && spec.param.default === undefined) return undefined;
  const shadowSpec = builder.specs.get(spec.shadow);
  if (shadowSpec?.kind !== 'literal') return undefined;
  return {
    shadow: { type: spec.shadow, fields: defaultFields(shadowSpec.literal, spec.param) },
  };
}

function addOpcode(
  builder: Builder,
  info: OpcodeInfo,
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
  capability: CapabilityInfo,
  method: MethodInfo,
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
  opcodes: readonly OpcodeInfo[],
  capabilities: readonly CapabilityInfo[],
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
