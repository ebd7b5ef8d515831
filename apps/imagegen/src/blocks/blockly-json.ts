/**
 * The subset of Blockly's JSON formats this client produces and reads: block definitions
 * (`Blockly.defineBlocksWithJsonArray`), toolbox definitions and the workspace serialisation of
 * `Blockly.serialization.workspaces.save/load`. Working on these plain objects keeps the generator
 * and both conversions testable without a DOM.
 */

/** A JSON value (what a script, a field state or an extra state can hold). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One `args0` entry of a block definition. */
export interface BlockArgJson {
  type: string;
  name?: string;
  check?: string | string[] | null;
  text?: string;
  value?: number | string | boolean;
  min?: number;
  max?: number;
  precision?: number;
  checked?: boolean;
  options?: [string, string][];
  variable?: string;
  align?: 'LEFT' | 'RIGHT' | 'CENTRE';
  spellcheck?: boolean;
}

/** A block definition as accepted by `Blockly.defineBlocksWithJsonArray`. */
export interface BlockDefinitionJson {
  type: string;
  message0: string;
  args0?: BlockArgJson[];
  output?: string | string[] | null;
  previousStatement?: string | string[] | null;
  nextStatement?: string | string[] | null;
  inputsInline?: boolean;
  colour: number;
  tooltip: string;
  helpUrl?: string;
  extensions?: string[];
  mutator?: string;
}

/** Serialised state of one input: a plugged block and/or a shadow. */
export interface SerializedInput {
  block?: SerializedBlock;
  shadow?: SerializedBlock;
}

/** One block in Blockly's JSON serialisation. */
export interface SerializedBlock {
  type: string;
  id?: string;
  x?: number;
  y?: number;
  fields?: Record<string, Json>;
  inputs?: Record<string, SerializedInput>;
  next?: { block?: SerializedBlock; shadow?: SerializedBlock };
  extraState?: Json;
}

/** One workspace variable. */
export interface SerializedVariable {
  name: string;
  id: string;
  type?: string;
}

/** `Blockly.serialization.workspaces.save()` output (the parts this client uses). */
export interface SerializedWorkspace {
  blocks?: { languageVersion: number; blocks: SerializedBlock[] };
  variables?: SerializedVariable[];
}

/** A toolbox block entry (may carry default inputs/shadows like a serialised block). */
export interface ToolboxBlockJson {
  kind: 'block';
  type: string;
  inputs?: Record<string, SerializedInput>;
  fields?: Record<string, Json>;
  extraState?: Json;
}

/** A toolbox category. `custom: 'VARIABLE'` gives Blockly's dynamic variable category. */
export interface ToolboxCategoryJson {
  kind: 'category';
  name: string;
  colour: string;
  custom?: string;
  contents?: ToolboxBlockJson[];
}

/** A category toolbox definition. */
export interface ToolboxJson {
  kind: 'categoryToolbox';
  contents: ToolboxCategoryJson[];
}
