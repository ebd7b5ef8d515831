import { type CanvasOperation, canvasOperations } from './canvas-operation.ts';
import { CANVAS_OPERATIONS } from './canvas-operations.ts';
import { CanvasState } from './canvas-state.ts';
import { opaqueLayerName } from './opaque-layer-name.ts';
import type { Surface } from './rasterizer.ts';

/** Opcodes the canvas replays itself; anything else becomes an opaque layer. */
export const CANVAS_OPCODES: ReadonlySet<string> = new Set(CANVAS_OPERATIONS.keys());

/** Supplies pixels for a `canvas.layer.load_image` image argument (a value or an expression). */
export type ImageResolver = (image: unknown) => Surface | undefined;

/** A problem met while replaying (the operation is kept in the script, its effect skipped). */
export interface ReplayProblem {
  index: number;
  message: string;
}

/** What {@link scriptToLayers} produces. */
export interface ReplayResult {
  state: CanvasState;
  problems: ReplayProblem[];
  /** Image arguments the resolver could not supply yet (the caller fetches and replays again). */
  unresolved: unknown[];
}

function unquote(value: unknown): unknown {
  return Array.isArray(value) && value[0] === 'std.quote' ? value[1] : value;
}

/**
 * Replays any script as layers. Canvas opcodes are applied to a fresh {@link CanvasState};
 * every other top-level call becomes a locked `opaque` layer named after what it does, so scripts
 * from Blocks Mode or templates can be shown and re-saved without losing anything (the script
 * itself is never rewritten here).
 */
export function scriptToLayers(
  script: unknown,
  resolveImage: ImageResolver = () => undefined,
): ReplayResult {
  const state = new CanvasState();
  const problems: ReplayProblem[] = [];
  const unresolved: unknown[] = [];
  const operations = canvasOperations(script);
  operations.forEach((operation: CanvasOperation, index) => {
    const [opcode, ...rawArgs] = operation;
    const entry = CANVAS_OPERATIONS.get(opcode);
    try {
      if (!entry) {
        state.createLayer(`opaque-${index}`, opaqueLayerName(operations, index), 'opaque');
        return;
      }
      // Recorded literals: lists arrive quoted (`["std.quote", points]`), as the server sees them
      // after evaluation once unquoted; an image argument may be any expression (resolved below).
      const args = rawArgs.map(unquote);
      const imageArg = entry.imageArgument === undefined ? undefined : rawArgs[entry.imageArgument];
      const image = imageArg === undefined ? undefined : resolveImage(imageArg);
      entry.applyArgs(state, args, image);
      if (imageArg !== undefined && !image) unresolved.push(imageArg);
    } catch (error) {
      problems.push({ index, message: (error as Error).message });
    }
  });
  return { state, problems, unresolved };
}

/** Stable cache key of an image argument (a literal image value or a generating expression). */
export function imageKey(image: unknown): string {
  if (typeof image === 'object' && image !== null && '$image' in image)
    return String((image as { $image: unknown }).$image);
  return JSON.stringify(image);
}
