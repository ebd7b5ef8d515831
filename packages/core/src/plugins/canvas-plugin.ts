import { canvasOpcodes } from '@viwo/canvas';
import type { Plugin } from '../plugin.ts';

/**
 * The canvas as a runtime plugin: no capabilities, just the canvas opcodes (core may import the
 * canvas package; the canvas, being browser-safe, never imports core).
 */
export function createCanvasPlugin(): Plugin {
  return {
    name: 'canvas',
    version: '0.1.0',
    async init() {},
    capabilities: () => [],
    opcodes: () => canvasOpcodes,
    async dispose() {},
  };
}
