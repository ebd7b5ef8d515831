import type { CompositeRequest, StrokeRequest } from './canvas-state.ts';
import { compositeSurfaces, drawSurface, rasterizeStroke, type Surface } from './rasterizer.ts';

/**
 * Where canvas pixels are computed. The server runs the canvas opcodes through a worker-thread
 * backend so rasterising never blocks its event loop; {@link inlineRaster} computes in place.
 * Every method may replace `surface.data` of the surfaces it is given (a worker transfers the
 * buffers and hands back new views of them); callers keep the surface objects.
 */
export interface RasterBackend {
  stroke(stroke: StrokeRequest): Promise<void>;
  draw(target: Surface, source: Surface, x: number, y: number): Promise<void>;
  composite(request: CompositeRequest): Promise<Surface>;
}

/** Computes on the calling thread (browsers, tests, and the fallback when workers fail). */
export const inlineRaster: RasterBackend = {
  async stroke(stroke) {
    rasterizeStroke(
      stroke.surface,
      stroke.points,
      stroke.size,
      stroke.hardness,
      stroke.color,
      stroke.tool,
    );
  },
  async draw(target, source, x, y) {
    drawSurface(target, source, x, y);
  },
  async composite(request) {
    return compositeSurfaces(request.width, request.height, request.background, request.layers);
  },
};
