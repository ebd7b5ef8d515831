/**
 * What the conversions need to know about each generated block type: which opcode or capability
 * method it stands for and how script arguments map onto its inputs. The generator fills a
 * `BlockCatalog` with these next to the Blockly JSON definitions, so the conversions never parse
 * block definitions back.
 */

import type { ParamMetadata } from '@viwo/protocol';
import type { BlockDefinitionJson, Json, ToolboxJson } from './blockly-json.ts';

/** Field name every literal and shadow block stores its value in. */
export const VALUE_FIELD = 'VALUE';
/** Field name of the raw-script block (the script fragment as JSON text). */
export const RAW_FIELD = 'JSON';

/** Fixed block types that do not come from metadata. */
export const BLOCK = {
  number: 'viwo_lit_number',
  text: 'viwo_lit_text',
  boolean: 'viwo_lit_boolean',
  null: 'viwo_lit_null',
  seed: 'viwo_lit_seed',
  raw: 'viwo_raw',
  /** Statement wrapper around an expression (a value in a statement list). */
  do: 'viwo_do',
  /** Value wrapper around statements (a statement form used as a value). */
  statementValue: 'viwo_statement_value',
} as const;

/** How a literal/shadow block holds its value. */
export type LiteralSpec =
  | { kind: 'number'; min?: number; max?: number; integer: boolean; step?: number }
  | { kind: 'text' }
  | { kind: 'boolean' }
  | { kind: 'null' }
  | { kind: 'enum'; options: (string | number)[] }
  | { kind: 'raw' };

/** One value input bound to a parameter. `shadow` is the literal block type offered for it. */
export interface ValueInputSpec {
  input: string;
  param: ParamMetadata;
  shadow?: string;
}

/** A positional parameter of a capability method: one input, or one input per options field. */
export type PositionalSpec =
  | ({ kind: 'value' } & ValueInputSpec)
  | { kind: 'options'; param: ParamMetadata; fields: ValueInputSpec[] };

/** Control-flow and variable opcodes that get hand-shaped blocks. */
export type ControlOpcode =
  | 'std.seq'
  | 'std.if'
  | 'std.while'
  | 'std.for'
  | 'std.lambda'
  | 'std.try'
  | 'std.let'
  | 'std.set'
  | 'std.var';

/** Everything the conversions know about a block type. */
export type BlockSpec =
  | { kind: 'opcode'; opcode: string; fixed: ValueInputSpec[]; variadic?: ValueInputSpec }
  | {
      kind: 'method';
      capabilityType: string;
      method: string;
      positional: PositionalSpec[];
    }
  | { kind: 'control'; opcode: ControlOpcode }
  | { kind: 'literal'; literal: LiteralSpec }
  | { kind: 'do' }
  | { kind: 'statementValue' };

/** Output of the generator: definitions, toolbox and the lookup tables the conversions use. */
export interface BlockCatalog {
  definitions: BlockDefinitionJson[];
  toolbox: ToolboxJson;
  /** Block type → spec. */
  specs: Map<string, BlockSpec>;
  /** Opcode → block type (generic and control opcodes). */
  opcodeBlocks: Map<string, string>;
  /** `<capability type>.<method>` → block type. */
  methodBlocks: Map<string, string>;
  /** Method name → block types of every capability offering it (first wins for unknown handles). */
  methodsByName: Map<string, string[]>;
}

/** Input name of the n-th argument of a generic opcode block. */
export function argInput(index: number): string {
  return `ARG${index}`;
}

/** Input name of a capability method's handle socket (empty → `get_capability(type)`). */
export const CAP_INPUT = 'CAP';

/** Extra state of generic variadic blocks: how many repeated arguments they hold. */
export interface VariadicState {
  items: number;
}

/** Reads the variadic item count from a block's extra state (0 when absent or malformed). */
export function variadicItems(extraState: Json | undefined): number {
  if (extraState && typeof extraState === 'object' && !Array.isArray(extraState)) {
    const items = extraState.items;
    if (typeof items === 'number' && Number.isInteger(items) && items >= 0) return items;
  }
  return 0;
}
