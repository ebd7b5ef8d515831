/**
 * Builders of the canvas opcodes Layer Mode records, with the exact ARCHITECTURE.md signatures.
 * The canvas document is a script `["std.seq", ...operations]`; recording appends one operation.
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

/** Typed builders, one per canvas opcode. */
export const record = {
  init: (width: number, height: number, background?: string): CanvasOperation =>
    background === undefined
      ? ['canvas.init', width, height]
      : ['canvas.init', width, height, background],
  createLayer: (
    id: string,
    name: string,
    type: 'raster' | 'control' | 'mask',
    options?: Record<string, unknown>,
  ): CanvasOperation =>
    options && Object.keys(options).length > 0
      ? ['canvas.layer.create', id, name, type, options]
      : ['canvas.layer.create', id, name, type],
  updateLayer: (id: string, changes: Record<string, unknown>): CanvasOperation => [
    'canvas.layer.update',
    id,
    changes,
  ],
  deleteLayer: (id: string): CanvasOperation => ['canvas.layer.delete', id],
  moveLayer: (id: string, index: number): CanvasOperation => ['canvas.layer.move', id, index],
  stroke: (
    layerId: string,
    points: [number, number][],
    color: string,
    size: number,
    tool: 'brush' | 'eraser' | 'mask',
    hardness = 1,
  ): CanvasOperation => {
    const rounded = points.map(([x, y]) => [Math.round(x * 10) / 10, Math.round(y * 10) / 10]);
    const call: CanvasOperation = [
      'canvas.draw_stroke',
      layerId,
      ['std.quote', rounded],
      color,
      size,
      tool,
    ];
    return hardness === 1 ? call : [...call, hardness];
  },
  loadImage: (layerId: string, image: unknown, x: number, y: number): CanvasOperation => [
    'canvas.layer.load_image',
    layerId,
    image,
    x,
    y,
  ],
  bbox: (x: number, y: number, width: number, height: number): CanvasOperation => [
    'canvas.bbox.set',
    x,
    y,
    width,
    height,
  ],
  composite: (): CanvasOperation => ['canvas.composite'],
};
