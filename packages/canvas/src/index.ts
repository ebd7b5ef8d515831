export type { CanvasHost, CanvasPixels } from './canvas-host.ts';
export { canvasOpcodes, createCanvasOpcodes, PIXELS_PER_GAS } from './canvas-opcodes.ts';
export { type CanvasOperation, canvasOperations, canvasScript } from './canvas-operation.ts';
export {
  CANVAS_OPERATIONS,
  type CanvasOperationEntry,
  type CanvasOperationSpec,
  canvasOperationTable,
} from './canvas-operations.ts';
export { record } from './canvas-recorder.ts';
export {
  type BoundingBox,
  type CanvasLayer,
  CanvasState,
  type CompositeRequest,
  type LayerType,
  MAX_CANVAS_PIXELS,
  MAX_CANVAS_SIDE,
  MAX_LAYER_PIXELS,
  type StrokeRequest,
} from './canvas-state.ts';
export { inlineRaster, type RasterBackend } from './raster-backend.ts';
export {
  applyStroke,
  blendPixel,
  copySurface,
  createSurface,
  drawSurface,
  parseColor,
  type Rgba,
  type StrokeTool,
  type Surface,
  strokeCoverage,
} from './rasterizer.ts';
export {
  CANVAS_OPCODES,
  type ImageResolver,
  imageKey,
  type ReplayProblem,
  type ReplayResult,
  scriptToLayers,
} from './script-to-layers.ts';
