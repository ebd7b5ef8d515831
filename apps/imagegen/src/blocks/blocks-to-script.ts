/**
 * Blockly serialisation JSON → ViwoScript (JSON form). Works on the plain objects of
 * `Blockly.serialization.workspaces.save()`, so it runs without a DOM, and records which block
 * produced each JSON path so a server error's `path` can be shown on its block.
 */

import {
  argInput,
  type BlockCatalog,
  type BlockSpec,
  CAP_INPUT,
  type ControlOpcode,
  type PositionalSpec,
  variadicItems,
} from './block-specs.ts';
import type {
  Json,
  SerializedBlock,
  SerializedInput,
  SerializedWorkspace,
} from './blockly-json.ts';
import { ConversionError } from './conversion-error.ts';
import { literalValue } from './literal-values.ts';

/** A JSON path into a script (array indices and object keys). */
export type ScriptPath = (string | number)[];

/** Result of converting a workspace. */
export interface BlocksToScriptResult {
  script: Json;
  /** Which block produced the expression at each path (outermost first). */
  sourceMap: { path: ScriptPath; blockId: string }[];
  /** Top-level blocks other than the first, which are not part of the script. */
  ignoredBlocks: string[];
}

/**
 * Reads blocks back into script values. One instance per conversion; `variables` maps Blockly
 * variable ids to names.
 */
export class BlockReader {
  readonly sourceMap: { path: ScriptPath; blockId: string }[] = [];

  constructor(
    private readonly catalog: BlockCatalog,
    private readonly variables: ReadonlyMap<string, string>,
  ) {}

  private spec(block: SerializedBlock): BlockSpec {
    const spec = this.catalog.specs.get(block.type);
    if (!spec) {
      throw new ConversionError(
        `block type "${block.type}" is not offered by this server (a plugin may be missing)`,
        block.id,
      );
    }
    return spec;
  }

  private record(path: ScriptPath, block: SerializedBlock): void {
    if (block.id) this.sourceMap.push({ path, blockId: block.id });
  }

  /** The block plugged into an input (a real block wins over its shadow), if any. */
  private plugged(input: SerializedInput | undefined): SerializedBlock | undefined {
    return input?.block ?? input?.shadow;
  }

  /** Value of an input, or undefined when nothing is plugged in. */
  inputValue(block: SerializedBlock, name: string, path: ScriptPath): Json | undefined {
    const inner = this.plugged(block.inputs?.[name]);
    return inner ? this.value(inner, path) : undefined;
  }

  private variableName(block: SerializedBlock): string {
    const state = block.fields?.VAR;
    if (state && typeof state === 'object' && !Array.isArray(state)) {
      if (typeof state.name === 'string') return state.name;
      if (typeof state.id === 'string') {
        const name = this.variables.get(state.id);
        if (name !== undefined) return name;
      }
    }
    if (typeof state === 'string') {
      const name = this.variables.get(state);
      if (name !== undefined) return name;
    }
    throw new ConversionError('variable field names no workspace variable', block.id);
  }

  /** The statements chained from `first`, each converted in statement context. */
  chain(first: SerializedBlock | undefined, path: ScriptPath, startIndex: number): Json[] {
    const items: Json[] = [];
    let current = first;
    while (current) {
      items.push(this.statement(current, [...path, startIndex + items.length]));
      current = current.next?.block;
    }
    return items;
  }

  /**
   * A statement input as one expression: empty → null, one statement → itself, several →
   * `std.seq` of them (the script-to-blocks direction always produces zero or one).
   */
  body(block: SerializedBlock, name: string, path: ScriptPath): Json | undefined {
    const first = block.inputs?.[name]?.block;
    if (!first) return undefined;
    if (!first.next?.block) return this.statement(first, path);
    this.record(path, first);
    return ['std.seq', ...this.chain(first, path, 1)];
  }

  /** A block in a statement list. */
  statement(block: SerializedBlock, path: ScriptPath): Json {
    const spec = this.spec(block);
    if (spec.kind === 'do') {
      this.record(path, block);
      return this.inputValue(block, 'EXPR', path) ?? null;
    }
    return this.value(block, path);
  }

  /** A block in value position (or any block that stands for one expression). */
  value(block: SerializedBlock, path: ScriptPath): Json {
    const spec = this.spec(block);
    this.record(path, block);
    switch (spec.kind) {
      case 'literal':
        return literalValue(spec.literal, block.fields, block.id);
      case 'do':
        return this.inputValue(block, 'EXPR', path) ?? null;
      case 'statementValue':
        return this.body(block, 'BODY', path) ?? null;
      case 'control':
        return this.control(block, spec.opcode, path);
      case 'opcode': {
        const values = spec.fixed.map((input, index) =>
          this.inputValue(block, input.input, [...path, index + 1]),
        );
        const items = spec.variadic ? variadicItems(block.extraState) : 0;
        const args = finishArgs(
          values,
          spec.fixed.map((input) => input.param.optional === true),
          items > 0,
          () => null,
        );
        for (let item = 0; item < items; item++) {
          const index = spec.fixed.length + item;
          args.push(this.inputValue(block, argInput(index), [...path, index + 1]) ?? null);
        }
        return [spec.opcode, ...args];
      }
      case 'method': {
        const handle = this.inputValue(block, CAP_INPUT, [...path, 1]) ?? [
          'get_capability',
          spec.capabilityType,
        ];
        const values = spec.positional.map((positional, index) =>
          this.positional(block, positional, [...path, index + 3]),
        );
        const args = finishArgs(
          values,
          spec.positional.map((positional) => positional.param.optional === true),
          false,
          (index) => (spec.positional[index]?.kind === 'options' ? {} : null),
        );
        return ['std.call_method', handle, spec.method, ...args];
      }
    }
  }

  private positional(
    block: SerializedBlock,
    positional: PositionalSpec,
    path: ScriptPath,
  ): Json | undefined {
    if (positional.kind === 'value') return this.inputValue(block, positional.input, path);
    const options: { [key: string]: Json } = {};
    let any = false;
    for (const field of positional.fields) {
      const inner = this.plugged(block.inputs?.[field.input]);
      if (!inner) continue;
      const spec = this.spec(inner);
      if (spec.kind !== 'literal') {
        throw new ConversionError(
          `option "${field.param.name}" takes a literal value (number, text, checkbox, dropdown or JSON), not a computed one`,
          inner.id,
        );
      }
      this.record([...path, field.param.name], inner);
      options[field.param.name] = literalValue(spec.literal, inner.fields, inner.id);
      any = true;
    }
    return any ? options : undefined;
  }

  private control(block: SerializedBlock, opcode: ControlOpcode, path: ScriptPath): Json {
    switch (opcode) {
      case 'std.seq':
        return ['std.seq', ...this.chain(block.inputs?.BODY?.block, path, 1)];
      case 'std.if': {
        const result: Json[] = [
          'std.if',
          this.inputValue(block, 'COND', [...path, 1]) ?? null,
          this.body(block, 'THEN', [...path, 2]) ?? null,
        ];
        const otherwise = this.body(block, 'ELSE', [...path, 3]);
        if (otherwise !== undefined) result.push(otherwise);
        return result;
      }
      case 'std.while':
        return [
          'std.while',
          this.inputValue(block, 'COND', [...path, 1]) ?? null,
          this.body(block, 'BODY', [...path, 2]) ?? null,
        ];
      case 'std.for':
        return [
          'std.for',
          this.variableName(block),
          this.inputValue(block, 'LIST', [...path, 2]) ?? null,
          this.body(block, 'BODY', [...path, 3]) ?? null,
        ];
      case 'std.try': {
        const body = this.body(block, 'TRY', [...path, 1]) ?? null;
        const handler = this.body(block, 'CATCH', [...path, 3]);
        return handler === undefined
          ? ['std.try', body]
          : ['std.try', body, this.variableName(block), handler];
      }
      case 'std.lambda':
        return [
          'std.lambda',
          parseLambdaParams(block.fields?.PARAMS),
          this.body(block, 'BODY', [...path, 2]) ?? null,
        ];
      case 'std.let':
      case 'std.set':
        return [
          opcode,
          this.variableName(block),
          this.inputValue(block, 'VALUE', [...path, 2]) ?? null,
        ];
      case 'std.var':
        return ['std.var', this.variableName(block)];
    }
  }
}

/** Lambda parameter names as the PARAMS field holds them: comma-separated. */
export function parseLambdaParams(field: Json | undefined): string[] {
  if (typeof field !== 'string') return [];
  return field
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
}

/**
 * Drops trailing arguments that are absent and optional; an absent argument before a present one
 * becomes `fill(index)` (null, or `{}` for an options object) so positions stay right.
 */
function finishArgs(
  values: (Json | undefined)[],
  optional: boolean[],
  keepAll: boolean,
  fill: (index: number) => Json,
): Json[] {
  let end = values.length;
  if (!keepAll) {
    while (end > 0 && values[end - 1] === undefined && optional[end - 1]) end--;
  }
  const args: Json[] = [];
  for (let index = 0; index < end; index++) args.push(values[index] ?? fill(index));
  return args;
}

/** Converts a block tree whose top is `block` (a value or the head of a statement chain). */
export function blockToScript(
  block: SerializedBlock,
  catalog: BlockCatalog,
  variables: ReadonlyMap<string, string>,
): Json {
  return new BlockReader(catalog, variables).value(block, []);
}

/**
 * Converts a saved workspace to a script. The first top-level block is the script: a value block
 * gives its value, a statement chain of one gives that statement, a longer chain a `std.seq`.
 * An empty workspace is `null`. Throws ConversionError naming the offending block.
 */
export function blocksToScript(
  workspace: SerializedWorkspace,
  catalog: BlockCatalog,
): BlocksToScriptResult {
  const variables = new Map<string, string>();
  for (const variable of workspace.variables ?? []) variables.set(variable.id, variable.name);
  const reader = new BlockReader(catalog, variables);
  const [first, ...rest] = workspace.blocks?.blocks ?? [];
  const ignoredBlocks = rest.map((block) => block.id ?? block.type);
  if (!first) return { script: null, sourceMap: [], ignoredBlocks };
  let script: Json;
  if (first.next?.block) {
    script = ['std.seq', ...reader.chain(first, [], 1)];
  } else {
    script = reader.statement(first, []);
  }
  return { script, sourceMap: reader.sourceMap, ignoredBlocks };
}

/**
 * The block to highlight for an error at `path`: the block recorded for the longest prefix of it.
 */
export function blockForPath(
  sourceMap: readonly { path: ScriptPath; blockId: string }[],
  path: readonly (string | number)[],
): string | undefined {
  let best: { length: number; blockId: string } | undefined;
  for (const entry of sourceMap) {
    if (entry.path.length > path.length) continue;
    if (!entry.path.every((step, index) => String(step) === String(path[index]))) continue;
    if (!best || entry.path.length >= best.length) {
      best = { length: entry.path.length, blockId: entry.blockId };
    }
  }
  return best?.blockId;
}
