/**
 * Whether replacing the canvas with another script needs the user's say: a canvas holding
 * nothing but the shape a new canvas starts with (its size and at most one empty layer) is
 * replaced directly; anything the user drew, generated, placed or arranged is asked about first.
 */
import { canvasOperations } from '@viwo/canvas';

/** The only operations a blank canvas may hold: its size, and one layer nothing was put on. */
const BLANK_OPERATIONS = new Set(['canvas.init', 'canvas.layer.create']);

/**
 * True when the script holds no work: empty, or only `canvas.init` and at most one
 * `canvas.layer.create` (what "New canvas" makes). A script that is not a canvas document (a
 * Blocks program) counts as work.
 */
export function isBlankCanvas(script: unknown): boolean {
  if (script === null || script === undefined) return true;
  if (!Array.isArray(script)) return false;
  if (script.length === 0) return true;
  if (script[0] !== 'std.seq') return false;
  const operations = canvasOperations(script);
  // A `std.seq` with non-call steps (literals a Blocks program left) is someone's work too.
  if (operations.length !== script.length - 1) return false;
  if (!operations.every((operation) => BLANK_OPERATIONS.has(operation[0]))) return false;
  return operations.filter((operation) => operation[0] === 'canvas.layer.create').length <= 1;
}

/** Structural equality of two JSON values (scripts are plain JSON). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return (
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, index) => sameJson(item, b[index]))
    );
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return (
    keysA.length === keysB.length &&
    keysA.every(
      (key) =>
        Object.hasOwn(b, key) &&
        sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
    )
  );
}

/**
 * True when replacing `current` with `incoming` would lose something and so must be asked about:
 * the current canvas holds work, and the incoming script is not that very script.
 */
export function needsReplaceConfirmation(current: unknown, incoming: unknown): boolean {
  return !isBlankCanvas(current) && !sameJson(current, incoming);
}
