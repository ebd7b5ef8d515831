export type { CanvasHost, CanvasPixels } from './canvas-host.ts';
export { canvasOpcodes } from './canvas-opcodes.ts';
export { type CanvasOperation, canvasOperations, canvasScript, record } from './canvas-recorder.ts';
export {
  type BoundingBox,
  type CanvasLayer,
  CanvasState,
  type LayerType,
  MAX_CANVAS_SIDE,
} from './canvas-state.ts';
export {
  applyStroke,
  blendPixel,
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
