import type { Plugin } from '@viwo/core';
import { createCanvasOpcodes } from './canvas-opcodes.ts';
import { createWorkerRaster } from './worker-raster.ts';

/**
 * The canvas as a runtime plugin: no capabilities, just the canvas opcodes, rasterising on a
 * worker thread so strokes and composites never block the server's event loop.
 */
export function createCanvasPlugin(): Plugin {
  const raster = createWorkerRaster();
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
