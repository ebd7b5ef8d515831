/**
 * Typed inputs: which literal (shadow) block a parameter gets, how inputs are labelled, and the
 * toolbox defaults.
 */

import type { ParamMetadata } from '@viwo/protocol';
import { BLOCK, type LiteralSpec, VALUE_FIELD, type ValueInputSpec } from './block-specs.ts';
import { type Builder, CATEGORY_HUES, define } from './block-types.ts';
import type { BlockArgJson, SerializedInput } from './blockly-json.ts';
import { defaultFields, shadowDefault } from './literal-values.ts';

/**
 * Shadow block for a parameter: a literal block whose field matches the param's type (number
 * with min/max, dropdown for enums, checkbox, seed with randomise, text). Returns undefined for
 * params that only take sockets (images, masks, lists, objects, functions, anything).
 */
export function paramShadow(
  builder: Builder,
  owner: string,
  param: ParamMetadata,
): string | undefined {
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

export function paramLabel(param: ParamMetadata): string {
  const text = param.label ?? param.name;
  // `%` starts a Blockly message placeholder; escape it so labels never swallow an input.
  return text.replaceAll('%', '%%');
}

/** Value inputs with their labels as a Blockly message and args. */
export function valueInputArgs(inputs: ValueInputSpec[]): {
  message: string;
  args: BlockArgJson[];
} {
  const args: BlockArgJson[] = [];
  const parts: string[] = [];
  for (const spec of inputs) {
    args.push({ type: 'input_value', name: spec.input, align: 'RIGHT' });
    parts.push(`${paramLabel(spec.param)}${spec.param.optional ? '?' : ''} %${args.length}`);
  }
  return { message: parts.join(' '), args };
}

/** Toolbox default for an input: a shadow with the param's default (optional params only if they have one). */
export function defaultInput(builder: Builder, spec: ValueInputSpec): SerializedInput | undefined {
  if (!spec.shadow) return undefined;
  if (spec.param.optional && spec.param.default === undefined) return undefined;
  const shadowSpec = builder.specs.get(spec.shadow);
  if (shadowSpec?.kind !== 'literal') return undefined;
  return {
    shadow: { type: spec.shadow, fields: defaultFields(shadowSpec.literal, spec.param) },
  };
}
