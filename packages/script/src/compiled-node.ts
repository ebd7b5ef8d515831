import type { EvaluationState } from './evaluation-state.ts';
import type { Scope } from './scope.ts';
import type { ScriptPath } from './script-error.ts';
import { cloneValue } from './values.ts';

/** A compiled node: returns its value, or a promise only when something really awaited. */
export type CompiledNode = (scope: Scope) => unknown;

/** What the per-form compilers need from the compiler driving them. */
export interface NodeCompiler {
  readonly state: EvaluationState;
  /** Charges `cost` gas at `path` (see EvaluationState for when budgets are checked). */
  charge(cost: number, path: ScriptPath): void;
  /** Compiles a call node found at `path`. */
  compile(node: unknown[], path: ScriptPath): CompiledNode;
  /** Compiles a call's arguments from index `from`; literals are folded into `cost`. */
  compileArgs(
    node: unknown[],
    path: ScriptPath,
    from?: number,
  ): { nodes: CompiledNode[]; cost: number };
}

// Control transfer travels as thrown sentinels; they are not Errors (no stack capture cost).
class BreakSignal {}
class ContinueSignal {}
/** Carries a `std.return` value to the enclosing lambda call (or the top level). */
export class ReturnSignal {
  constructor(readonly value: unknown) {}
}
export const BREAK = new BreakSignal();
export const CONTINUE = new ContinueSignal();

/** True for a break/continue that escaped every loop. */
export function isLoopSignal(value: unknown): boolean {
  return value === BREAK || value === CONTINUE;
}

/** Errors a script may not catch with std.try: budgets and cancellation must end the run. */
export const UNCATCHABLE = new Set([
  'OutOfGas',
  'Timeout',
  'Cancelled',
  'DepthExceeded',
  'OutputLimit',
]);

/** Whether a script node is a literal (every non-array value is). */
export function isLiteral(node: unknown): boolean {
  return !Array.isArray(node);
}

/** A node yielding a literal; structures are cloned per evaluation. */
export function literalNode(value: unknown): CompiledNode {
  // Structures are copied per evaluation so a script mutating a literal never changes its source.
  if (typeof value === 'object' && value !== null) return () => cloneValue(value);
  return () => value;
}

/** Array nesting depth of a node, computed without recursion. */
export function nestingDepth(node: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[node, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (!Array.isArray(current)) continue;
    if (depth > deepest) deepest = depth;
    for (const child of current) if (Array.isArray(child)) pending.push([child, depth + 1]);
  }
  return deepest;
}
