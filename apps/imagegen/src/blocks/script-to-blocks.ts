/**
 * ViwoScript (JSON form) → Blockly serialisation JSON. Every call becomes its block when one
 * exists and the arguments fit; anything else becomes a raw-script block holding the JSON, so no
 * construct is ever dropped. Each converted call is checked by converting it back, which makes the
 * round trip script → blocks → script the identity by construction.
 */

import {
  argInput,
  BLOCK,
  type BlockCatalog,
  type BlockSpec,
  CAP_INPUT,
  type ControlOpcode,
  type PositionalSpec,
  type ValueInputSpec,
} from './block-specs.ts';
import type {
  SerializedBlock,
  SerializedInput,
  SerializedVariable,
  SerializedWorkspace,
} from './blockly-json.ts';
import { BlockReader } from './blocks-to-script.ts';
import { fieldsForValue, literalFits } from './literal-values.ts';

const STATEMENT_OPCODES: ReadonlySet<string> = new Set([
  'std.seq',
  'std.if',
  'std.while',
  'std.for',
  'std.try',
  'std.let',
  'std.set',
]);

const IDENTIFIER = /^[^\s,()"]+$/;

/** Order-insensitive deep equality of JSON values (object key order carries no meaning). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return (
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, index) => jsonEqual(item, b[index]))
    );
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(b)) {
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    const keys = Object.keys(left);
    return (
      keys.length === Object.keys(right).length &&
      keys.every((key) => Object.hasOwn(right, key) && jsonEqual(left[key], right[key]))
    );
  }
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

class BlockWriter {
  private nextId = 1;
  /** Variable name → id; Blockly compares names case-insensitively, so one spelling per name. */
  private readonly variableIds = new Map<string, string>();
  private readonly spellings = new Map<string, string>();
  readonly idToName = new Map<string, string>();

  constructor(private readonly catalog: BlockCatalog) {}

  variables(): SerializedVariable[] {
    return [...this.variableIds].map(([name, id]) => ({ name, id }));
  }

  private id(): string {
    return `b${this.nextId++}`;
  }

  private variable(name: unknown): { id: string } | undefined {
    if (typeof name !== 'string' || name.length === 0) return undefined;
    const folded = name.toLowerCase();
    const spelling = this.spellings.get(folded);
    if (spelling !== undefined && spelling !== name) return undefined;
    let id = this.variableIds.get(name);
    if (!id) {
      id = `var:${name}`;
      this.variableIds.set(name, id);
      this.spellings.set(folded, name);
      this.idToName.set(id, name);
    }
    return { id };
  }

  private raw(value: unknown): SerializedBlock {
    return { type: BLOCK.raw, id: this.id(), fields: fieldsForValue({ kind: 'raw' }, value) };
  }

  /** A literal (non-array) value as a block. */
  private literal(value: unknown): SerializedBlock {
    const id = this.id();
    if (typeof value === 'number' && literalFits({ kind: 'number', integer: false }, value)) {
      return {
        type: BLOCK.number,
        id,
        fields: fieldsForValue({ kind: 'number', integer: false }, value),
      };
    }
    if (typeof value === 'string') return { type: BLOCK.text, id, fields: { VALUE: value } };
    if (typeof value === 'boolean') return { type: BLOCK.boolean, id, fields: { VALUE: value } };
    if (value === null) return { type: BLOCK.null, id };
    return { type: BLOCK.raw, id, fields: fieldsForValue({ kind: 'raw' }, value) };
  }

  /** An input holding `value`: a shadow when the param's field can show it, else a real block. */
  private input(spec: ValueInputSpec, value: unknown): SerializedInput {
    const shadowSpec = spec.shadow ? this.catalog.specs.get(spec.shadow) : undefined;
    if (
      spec.shadow &&
      shadowSpec?.kind === 'literal' &&
      !Array.isArray(value) &&
      literalFits(shadowSpec.literal, value)
    ) {
      return {
        shadow: {
          type: spec.shadow,
          id: this.id(),
          fields: fieldsForValue(shadowSpec.literal, value),
        },
      };
    }
    return { block: this.value(value) };
  }

  /** An options-object field: literal data, never evaluated, so arrays are kept as JSON. */
  private dataInput(spec: ValueInputSpec, value: unknown): SerializedInput {
    if (Array.isArray(value) || isPlainObject(value)) return { block: this.raw(value) };
    return this.input(spec, value);
  }

  /** A statement input holding one expression. */
  private bodyInput(expression: unknown): SerializedInput {
    return { block: this.statement(expression) };
  }

  /** An expression in value position. */
  value(expression: unknown): SerializedBlock {
    if (!Array.isArray(expression)) return this.literal(expression);
    const block = this.call(expression);
    if (!block) return this.raw(expression);
    if (STATEMENT_OPCODES.has(expression[0] as string)) {
      return {
        type: BLOCK.statementValue,
        id: this.id(),
        inputs: { BODY: { block } },
      };
    }
    return block;
  }

  /** An expression in a statement list. */
  statement(expression: unknown): SerializedBlock {
    if (Array.isArray(expression) && STATEMENT_OPCODES.has(expression[0] as string)) {
      const block = this.call(expression);
      if (block) return block;
    }
    return { type: BLOCK.do, id: this.id(), inputs: { EXPR: { block: this.value(expression) } } };
  }

  /** Links statements into a chain; returns its head. */
  private chain(blocks: SerializedBlock[]): SerializedBlock | undefined {
    for (let index = blocks.length - 2; index >= 0; index--) {
      blocks[index]!.next = { block: blocks[index + 1]! };
    }
    return blocks[0];
  }

  /**
   * The block for a call, verified by converting it back; undefined when no block represents it
   * exactly (the caller then keeps it raw).
   */
  private call(expression: unknown[]): SerializedBlock | undefined {
    const block = this.tryCall(expression);
    if (!block) return undefined;
    try {
      const back = new BlockReader(this.catalog, this.idToName).value(block, []);
      return jsonEqual(back, expression) ? block : undefined;
    } catch {
      return undefined;
    }
  }

  private tryCall(expression: unknown[]): SerializedBlock | undefined {
    const [head, ...args] = expression;
    if (typeof head !== 'string') return undefined;
    if (head === 'std.call_method') {
      const method = this.methodCall(args);
      if (method) return method;
    }
    const type = this.catalog.opcodeBlocks.get(head);
    const spec = type ? this.catalog.specs.get(type) : undefined;
    if (!type || !spec) return undefined;
    if (spec.kind === 'control') return this.control(type, spec.opcode, args);
    if (spec.kind === 'opcode') return this.opcode(type, spec, args);
    return undefined;
  }

  private opcode(
    type: string,
    spec: Extract<BlockSpec, { kind: 'opcode' }>,
    args: unknown[],
  ): SerializedBlock | undefined {
    if (args.length > spec.fixed.length && !spec.variadic) return undefined;
    const inputs: Record<string, SerializedInput> = {};
    args.forEach((arg, index) => {
      const input = spec.fixed[index] ?? spec.variadic;
      if (!input) return;
      inputs[argInput(index)] = this.input({ ...input, input: argInput(index) }, arg);
    });
    const block: SerializedBlock = { type, id: this.id(), inputs };
    if (spec.variadic) block.extraState = { items: Math.max(0, args.length - spec.fixed.length) };
    return block;
  }

  private methodCall(args: unknown[]): SerializedBlock | undefined {
    const [handle, method, ...rest] = args;
    if (typeof method !== 'string') return undefined;
    let type: string | undefined;
    let handleIsDefault = false;
    if (
      Array.isArray(handle) &&
      handle.length === 2 &&
      handle[0] === 'get_capability' &&
      typeof handle[1] === 'string'
    ) {
      type = this.catalog.methodBlocks.get(`${handle[1]}.${method}`);
      handleIsDefault = type !== undefined;
    }
    type ??= this.catalog.methodsByName.get(method)?.[0];
    const spec = type ? this.catalog.specs.get(type) : undefined;
    if (!type || spec?.kind !== 'method' || rest.length > spec.positional.length) return undefined;
    const inputs: Record<string, SerializedInput> = {};
    if (!handleIsDefault) inputs[CAP_INPUT] = { block: this.value(handle) };
    for (let index = 0; index < rest.length; index++) {
      if (!this.positional(spec.positional[index]!, rest[index], inputs)) return undefined;
    }
    return { type, id: this.id(), inputs };
  }

  private positional(
    positional: PositionalSpec,
    value: unknown,
    inputs: Record<string, SerializedInput>,
  ): boolean {
    if (positional.kind === 'value') {
      inputs[positional.input] = this.input(positional, value);
      return true;
    }
    if (!isPlainObject(value)) return false;
    for (const [key, item] of Object.entries(value)) {
      const field = positional.fields.find((candidate) => candidate.param.name === key);
      if (!field) return false;
      inputs[field.input] = this.dataInput(field, item);
    }
    return true;
  }

  private control(
    type: string,
    opcode: ControlOpcode,
    args: unknown[],
  ): SerializedBlock | undefined {
    const id = this.id();
    switch (opcode) {
      case 'std.seq': {
        const body = this.chain(args.map((arg) => this.statement(arg)));
        return { type, id, inputs: body ? { BODY: { block: body } } : {} };
      }
      case 'std.if': {
        if (args.length < 2 || args.length > 3) return undefined;
        const inputs: Record<string, SerializedInput> = {
          COND: { block: this.value(args[0]) },
          THEN: this.bodyInput(args[1]),
        };
        if (args.length === 3) inputs.ELSE = this.bodyInput(args[2]);
        return { type, id, inputs };
      }
      case 'std.while':
        if (args.length !== 2) return undefined;
        return {
          type,
          id,
          inputs: { COND: { block: this.value(args[0]) }, BODY: this.bodyInput(args[1]) },
        };
      case 'std.for': {
        const variable = this.variable(args[0]);
        if (args.length !== 3 || !variable) return undefined;
        return {
          type,
          id,
          fields: { VAR: variable },
          inputs: { LIST: { block: this.value(args[1]) }, BODY: this.bodyInput(args[2]) },
        };
      }
      case 'std.try': {
        // `(std.try body)` has no handler: an empty catch slot (its variable is then unused).
        const variable = this.variable(args.length === 1 ? 'error' : args[1]);
        if ((args.length !== 1 && args.length !== 3) || !variable) return undefined;
        const inputs: Record<string, SerializedInput> = { TRY: this.bodyInput(args[0]) };
        if (args.length === 3) inputs.CATCH = this.bodyInput(args[2]);
        return { type, id, fields: { VAR: variable }, inputs };
      }
      case 'std.lambda': {
        const [params, body] = args;
        if (
          args.length !== 2 ||
          !Array.isArray(params) ||
          !params.every((name) => typeof name === 'string' && IDENTIFIER.test(name))
        ) {
          return undefined;
        }
        return {
          type,
          id,
          fields: { PARAMS: params.join(', ') },
          inputs: { BODY: this.bodyInput(body) },
        };
      }
      case 'std.let':
      case 'std.set': {
        const variable = this.variable(args[0]);
        if (args.length !== 2 || !variable) return undefined;
        return {
          type,
          id,
          fields: { VAR: variable },
          inputs: { VALUE: { block: this.value(args[1]) } },
        };
      }
      case 'std.var': {
        const variable = this.variable(args[0]);
        if (args.length !== 1 || !variable) return undefined;
        return { type, id, fields: { VAR: variable } };
      }
    }
  }
}

/**
 * Converts a script to a workspace with one top-level block (statement forms as statement
 * blocks, anything else as a value block). Never throws: what has no block is kept raw.
 */
export function scriptToBlocks(script: unknown, catalog: BlockCatalog): SerializedWorkspace {
  const writer = new BlockWriter(catalog);
  const isStatement = Array.isArray(script) && STATEMENT_OPCODES.has(script[0] as string);
  const top = isStatement ? writer.statement(script) : writer.value(script);
  top.x = 20;
  top.y = 20;
  return {
    blocks: { languageVersion: 0, blocks: [top] },
    variables: writer.variables(),
  };
}
