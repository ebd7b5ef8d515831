import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelRegistry } from '../src/models/model-registry.ts';
import { SessionCache } from '../src/models/session-cache.ts';
import { resolveGeneration } from '../src/pipeline/generation-request.ts';
import { StableDiffusionPipeline } from '../src/pipeline/stable-diffusion-pipeline.ts';
import { writeModelFolder } from '../src/tiny-models/tiny-model-files.ts';
import { tinySdModelFiles } from '../src/tiny-models/tiny-sd-model.ts';
import { buildTinyUnet } from '../src/tiny-models/tiny-unet.ts';
import { MemoryImageStore, testContext } from './support/test-context.ts';

let dataDir: string;
let registry: ModelRegistry;
let pipeline: StableDiffusionPipeline;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'viwo-hooks-'));
  registry = new ModelRegistry(dataDir);
  await registry.init({ installTestModels: false });
  // A 9-channel (inpainting-shaped) UNet in an otherwise ordinary SD 1.x layout.
  const files = tinySdModelFiles('sd15');
  files['unet/model.onnx'] = buildTinyUnet({
    timestep: 'int64',
    prediction: 'epsilon',
    textHidden: 32,
    seed: 5,
    inChannels: 9,
  });
  await writeModelFolder(join(registry.root, 'nine'), files);
  await registry.refresh();
  pipeline = new StableDiffusionPipeline(registry, new SessionCache());
});
afterAll(async () => {
  await pipeline.cache.clear();
  await rm(dataDir, { recursive: true, force: true });
});

test('denoise hooks widen the UNet sample, see every step and post-process the image', async () => {
  const generation = resolveGeneration(
    'a cat',
    { model_id: 'nine', seed: 1, steps: 5, width: 64, height: 64, guidance_scale: 6 },
    registry.get('nine'),
  );
  const seen: { index: number; batch: number }[] = [];
  let finished = false;
  const { context } = testContext(new MemoryImageStore());
  const [item] = await pipeline.generate(
    generation,
    context,
    {},
    {
      denoiseHooks: ({ latentHeight, latentWidth }) => ({
        unetSample: (scaled) => {
          const plane = latentHeight * latentWidth;
          const wide = new Float32Array(9 * plane);
          wide.set(scaled, 0);
          wide.fill(1, 4 * plane, 5 * plane); // mask channel
          return wide;
        },
        afterStep: (latents, step) => {
          seen.push({ index: step.index, batch: step.batch });
          return latents;
        },
      }),
      finishImage: (image) => {
        finished = true;
        return image;
      },
    },
  );
  expect(seen).toEqual([0, 1, 2, 3, 4].map((index) => ({ index, batch: 2 })));
  expect(finished).toBe(true);
  expect([item!.image.width, item!.image.height]).toEqual([64, 64]);
});

test('without the hook a 9-channel UNet fails with a clear error', async () => {
  const generation = resolveGeneration(
    'a cat',
    { model_id: 'nine', seed: 1, steps: 2, width: 64, height: 64 },
    registry.get('nine'),
  );
  const { context } = testContext(new MemoryImageStore());
  await expect(pipeline.generate(generation, context)).rejects.toThrow(
    /the UNet takes 9 input channels \(an inpainting UNet: use diffusers.inpaint\), the pipeline built 4/,
  );
});
