import type { CanvasOperation } from './canvas-operation.ts';
import { canvasOperationTable as table } from './canvas-operations.ts';

/** Layer kinds Layer Mode creates. */
type RecordedLayerType = 'raster' | 'control' | 'mask' | 'region';
/** Stroke tools. */
type RecordedTool = 'brush' | 'eraser' | 'mask';

/**
 * Typed builders of the canvas opcodes Layer Mode records, with the exact ARCHITECTURE.md
 * signatures. Each encodes through the operation table, so a recorded call is exactly what the
 * server and the replay decode.
 */
export const record = {
  init: (width: number, height: number, background?: string): CanvasOperation =>
    table.init.encode({ width, height, background: background ?? null }),
  createLayer: (
    id: string,
    name: string,
    type: RecordedLayerType,
    options: Record<string, unknown> = {},
  ): CanvasOperation => table.createLayer.encode({ id, name, type, options }),
  updateLayer: (id: string, changes: Record<string, unknown>): CanvasOperation =>
    table.updateLayer.encode({ id, changes }),
  deleteLayer: (id: string): CanvasOperation => table.deleteLayer.encode({ id }),
  moveLayer: (id: string, index: number): CanvasOperation => table.moveLayer.encode({ id, index }),
  /** Points are rounded to 0.1 px: pointer positions carry no more precision worth storing. */
  stroke: (
    layerId: string,
    points: [number, number][],
    color: string,
    size: number,
    tool: RecordedTool,
    hardness = 1,
  ): CanvasOperation =>
    table.stroke.encode({
      layerId,
      points: points.map(([x, y]) => [Math.round(x * 10) / 10, Math.round(y * 10) / 10]),
      color,
      size,
      tool,
      hardness,
    }),
  loadImage: (layerId: string, image: unknown, x: number, y: number): CanvasOperation =>
    table.loadImage.encode({ layerId, image, x, y }),
  bbox: (x: number, y: number, width: number, height: number): CanvasOperation =>
    table.bbox.encode({ x, y, width, height }),
  /** Grows or crops the canvas; the anchor (0–1) places the old canvas in the new one. */
  resize: (width: number, height: number, anchorX = 0, anchorY = 0): CanvasOperation =>
    table.resize.encode({ width, height, anchorX, anchorY }),
  composite: (): CanvasOperation => table.composite.encode({}),
};
