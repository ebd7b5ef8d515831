import type { Plugin } from '@viwo/core';
import { canvasOpcodes } from './canvas-opcodes.ts';

/** The canvas as a runtime plugin: no capabilities, just the canvas opcodes. */
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
