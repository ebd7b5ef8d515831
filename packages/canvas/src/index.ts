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
