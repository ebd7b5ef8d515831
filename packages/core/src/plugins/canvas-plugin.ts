import { createCanvasOpcodes } from '@viwo/canvas';
import { createWorkerRaster } from '@viwo/canvas/worker-raster';
import type { Plugin } from '../plugin.ts';

/**
 * The canvas as a runtime plugin: no capabilities, just the canvas opcodes (core may import the
 * canvas package; the canvas, being browser-safe, never imports core). Strokes, placed images and
 * composites are rasterised on a worker thread, so they never block the server's event loop.
 */
export function createCanvasPlugin(): Plugin {
  const raster = createWorkerRaster(import.meta.resolve('@viwo/canvas/raster-worker'));
  const opcodes = createCanvasOpcodes(raster);
  return {
    name: 'canvas',
    version: '0.1.0',
    async init() {},
    capabilities: () => [],
    opcodes: () => opcodes,
    async dispose() {
      raster.dispose();
    },
  };
}
