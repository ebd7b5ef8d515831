/**
 * A canvas document is a script `["std.seq", ...operations]`; recording appends one operation.
 */

/** One recorded call. */
export type CanvasOperation = [string, ...unknown[]];

/** The operations of a canvas script (the children of its top-level `std.seq`). */
export function canvasOperations(script: unknown): CanvasOperation[] {
  if (!Array.isArray(script) || script.length === 0) return [];
  if (script[0] === 'std.seq') return script.slice(1).filter(Array.isArray) as CanvasOperation[];
  return [script as CanvasOperation];
}

/** A script made of operations. */
export function canvasScript(operations: readonly CanvasOperation[]): CanvasOperation {
  return ['std.seq', ...operations];
}
