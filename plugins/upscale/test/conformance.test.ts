import type { ImageValue } from '@viwo/core';
import { runPluginConformance } from '@viwo/core/testing';
import { createUpscalePlugin } from '../src/plugin.ts';

runPluginConformance(() => createUpscalePlugin({ threads: 2 }), {
  cancellableCall: {
    type: 'upscale',
    method: 'upscale',
    // 64×64 with 32-pixel tiles is 9 tiles: progress arrives, then the cancel lands between tiles.
    args: (image: ImageValue) => [image, { model: 'esrgan-slim', factor: 2, tile_size: 32 }],
  },
});
