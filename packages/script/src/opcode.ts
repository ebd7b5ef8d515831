/**
 * The opcode contract shared by the interpreter, the standard library and every embedder that adds
 * opcodes (kernel opcodes in core, canvas opcodes, plugins).
 *
 * Invariant: an opcode's `metadata` is the single truth about its arity and parameter types; the
 * checker, Blocks Mode and `get_opcodes` all read it, so an opcode must accept exactly what its
 * metadata says.
 */

import type { LogLevel, OpcodeMetadata } from '@viwo/protocol';

export type { LogLevel, OpcodeMetadata, OpcodeParam, ParamType } from '@viwo/protocol';

/** What an eager opcode implementation can reach while it runs. */
export interface OpcodeContext {
  /** The embedder's per-evaluation object (core passes its session/job context here). */
  readonly host: unknown;
  /** Aborted when the evaluation is cancelled; long-running opcodes must honour it. */
  readonly signal: AbortSignal;
  /** JSON path of the call being evaluated, for error reporting. */
  readonly path: readonly (string | number)[];
  /** Appends to the evaluation's log (counted against the output budget). */
  log(level: LogLevel, message: string): void;
  /** Calls a script function value (a lambda) with arguments, charging gas as usual. */
  callFunction(fn: unknown, args: unknown[]): Promise<unknown>;
  /**
   * Charges gas for work sized by data rather than by script nodes (pixels rasterised, items
   * joined). Call it before doing the work; it throws OutOfGas when the budget is spent.
   */
  charge(units: number): void;
}

/**
 * An opcode whose arguments are evaluated before it runs. It may return a promise; the
 * interpreter awaits it with the wall-time budget paused (capability calls are slow by nature).
 */
export interface OpcodeDefinition {
  metadata: OpcodeMetadata;
  eval(args: unknown[], context: OpcodeContext): unknown;
}
