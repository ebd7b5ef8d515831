import { type CanvasOperation, canvasOperations } from './canvas-recorder.ts';
import { CanvasState } from './canvas-state.ts';
import type { Surface } from './rasterizer.ts';

/** Opcodes the canvas replays itself; anything else becomes an opaque layer. */
export const CANVAS_OPCODES = new Set([
  'canvas.init',
  'canvas.layer.create',
  'canvas.layer.update',
  'canvas.layer.delete',
  'canvas.layer.move',
  'canvas.draw_stroke',
  'canvas.layer.load_image',
  'canvas.bbox.set',
  'canvas.composite',
]);

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
 * every other top-level call becomes a locked `opaque` layer named after its opcode, so scripts
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
  canvasOperations(script).forEach((operation: CanvasOperation, index) => {
    const [opcode, ...args] = operation;
    try {
      switch (opcode) {
        case 'canvas.init':
          state.init(args[0] as number, args[1] as number, (args[2] as string | undefined) ?? null);
          break;
        case 'canvas.layer.create':
          state.createLayer(
            args[0] as string,
            args[1] as string,
            args[2] as string,
            (args[3] ?? {}) as Record<string, unknown>,
          );
          break;
        case 'canvas.layer.update':
          state.updateLayer(args[0] as string, args[1] as Record<string, unknown>);
          break;
        case 'canvas.layer.delete':
          state.deleteLayer(args[0] as string);
          break;
        case 'canvas.layer.move':
          state.moveLayer(args[0] as string, args[1] as number);
          break;
        case 'canvas.draw_stroke':
          state.drawStroke(
            args[0] as string,
            unquote(args[1]),
            args[2] as string,
            args[3] as number,
            args[4] as string,
            (args[5] as number | undefined) ?? 1,
          );
          break;
        case 'canvas.layer.load_image': {
          const surface = resolveImage(args[1]);
          if (surface)
            state.loadImage(args[0] as string, surface, args[2] as number, args[3] as number);
          else {
            state.layer(args[0] as string, 'canvas.layer.load_image');
            unresolved.push(args[1]);
          }
          break;
        }
        case 'canvas.bbox.set':
          state.setBbox(args[0] as number, args[1] as number, args[2] as number, args[3] as number);
          break;
        case 'canvas.composite':
          break;
        default:
          state.createLayer(`opaque-${index}`, String(opcode), 'opaque');
      }
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
