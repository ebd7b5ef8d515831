/**
 * Blocks that do not come one-to-one from metadata entries: literal and wrapper blocks, and the
 * hand-shaped control-flow and variable blocks (statement inputs, Blockly variables).
 */

import type { OpcodeMetadata } from '@viwo/protocol';
import {
  BLOCK,
  type ControlOpcode,
  type LiteralSpec,
  RAW_FIELD,
  VALUE_FIELD,
} from './block-specs.ts';
import {
  type Builder,
  CATEGORY_HUES,
  define,
  opcodeBlockType,
  SEED_EXTENSION,
} from './block-types.ts';
import type { BlockArgJson, BlockDefinitionJson } from './blockly-json.ts';

/** Defines the literal, raw-script and wrapper blocks. */
export function defineFixedBlocks(builder: Builder): void {
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

/** Definition of a control-flow or variable opcode's block. */
export function controlDefinition(info: OpcodeMetadata, hue: number): BlockDefinitionJson {
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
