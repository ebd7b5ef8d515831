import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawImage } from '@viwo/core';
import type { DiffusersModelInfo } from '../src/models/model-info.ts';
import { ModelRegistry } from '../src/models/model-registry.ts';
import { SessionCache } from '../src/models/session-cache.ts';
import { type ResolvedGeneration, resolveGeneration } from '../src/pipeline/generation-request.ts';
import { ModelSessions } from '../src/pipeline/model-sessions.ts';
import { StableDiffusionPipeline } from '../src/pipeline/stable-diffusion-pipeline.ts';
import { penultimateHiddenOutput } from '../src/sdxl/sdxl-conditioning.ts';
import { prepareSdxlConditioning } from '../src/sdxl/sdxl-pipeline.ts';
import {
  buildTinySdxlUnet,
  SDXL_SCALING_FACTOR,
  tinySdxlModelFiles,
} from '../src/tiny-models/sdxl-tiny-model.ts';
import { writeModelFolder } from '../src/tiny-models/tiny-model-files.ts';
import { MemoryImageStore, testContext } from './support/test-context.ts';

let dataDir: string;
let registry: ModelRegistry;
let pipeline: StableDiffusionPipeline;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'viwo-sdxl-'));
  registry = new ModelRegistry(dataDir);
  await registry.init({ installTestModels: false });
  await writeModelFolder(join(registry.root, 'xl'), tinySdxlModelFiles(false));
  await writeModelFolder(join(registry.root, 'xl-turbo'), tinySdxlModelFiles(true));
  const lcm = tinySdxlModelFiles(false);
  lcm['unet/model.onnx'] = buildTinySdxlUnet(2026, 8);
  await writeModelFolder(join(registry.root, 'xl-lcm'), lcm);
  await registry.refresh();
  pipeline = new StableDiffusionPipeline(registry, new SessionCache());
});
afterAll(async () => {
  await pipeline.cache.clear();
  await rm(dataDir, { recursive: true, force: true });
});

function model(id: string): DiffusersModelInfo {
  const info = registry.get(id);
  if (!info) throw new Error(`tiny model ${id} missing`);
  return info;
}

/** One SDXL text-to-image request (the generation fields besides the model). */
type SdxlRequest = Omit<
  ResolvedGeneration,
  'model' | 'negativePrompt' | 'strength' | 'batchSize' | 'regions'
> & {
  negativePrompt?: string;
};

const base: SdxlRequest = {
  prompt: 'a red fox',
  seed: 7,
  steps: 4,
  guidanceScale: 5,
  width: 64,
  height: 64,
  scheduler: 'euler',
};

/** Text-to-image through the shared pipeline, one image. */
async function generateSdxl(
  target: StableDiffusionPipeline,
  info: DiffusersModelInfo,
  request: SdxlRequest,
): Promise<RawImage> {
  const { context } = testContext(new MemoryImageStore());
  const generation: ResolvedGeneration = {
    negativePrompt: '',
    strength: 1,
    batchSize: 1,
    regions: [],
    ...request,
    model: info,
  };
  const [item] = await target.generate(generation, context);
  return item!.image;
}

function differs(first: RawImage, second: RawImage): boolean {
  return first.data.some((value, index) => value !== second.data[index]);
}

test('the tiny SDXL layout is detected with its VAE scaling', () => {
  expect(model('xl').family).toBe('sdxl');
  expect(model('xl-turbo').family).toBe('sdxl-turbo');
  expect(model('xl').scalingFactor).toBe(SDXL_SCALING_FACTOR);
  expect(model('xl').components).toContain('text_encoder_2');
});

test('SDXL generates deterministically per seed; prompt_2 and seed change the image', async () => {
  const first = await generateSdxl(pipeline, model('xl'), base);
  const again = await generateSdxl(pipeline, model('xl'), base);
  expect(first.width).toBe(64);
  expect(first.height).toBe(64);
  expect(differs(first, again)).toBe(false);
  expect(differs(first, await generateSdxl(pipeline, model('xl'), { ...base, seed: 8 }))).toBe(
    true,
  );
  const withPrompt2 = await generateSdxl(pipeline, model('xl'), {
    ...base,
    prompt2: 'a snowy forest',
  });
  expect(differs(first, withPrompt2)).toBe(true);
  const withNegative = await generateSdxl(pipeline, model('xl'), {
    ...base,
    negativePrompt: 'blurry',
  });
  expect(differs(first, withNegative)).toBe(true);
});

test('SDXL-Turbo samples in one step without guidance, and LCM runs on SDXL', async () => {
  const turbo = await generateSdxl(pipeline, model('xl-turbo'), {
    ...base,
    steps: 1,
    guidanceScale: 0,
    scheduler: 'euler_a',
  });
  expect([turbo.width, turbo.height]).toEqual([64, 64]);
  const lcm = await generateSdxl(pipeline, model('xl'), {
    ...base,
    steps: 4,
    guidanceScale: 1,
    scheduler: 'lcm',
  });
  const lcmAgain = await generateSdxl(pipeline, model('xl'), {
    ...base,
    steps: 4,
    guidanceScale: 1,
    scheduler: 'lcm',
  });
  expect(differs(lcm, lcmAgain)).toBe(false);
  // An LCM-distilled UNet gets its guidance as timestep_cond: the scale changes the image.
  const lcmRequest = { ...base, steps: 4, scheduler: 'lcm' };
  const lowGuidance = await generateSdxl(pipeline, model('xl-lcm'), {
    ...lcmRequest,
    guidanceScale: 1.5,
  });
  const highGuidance = await generateSdxl(pipeline, model('xl-lcm'), {
    ...lcmRequest,
    guidanceScale: 8,
  });
  expect(differs(lowGuidance, highGuidance)).toBe(true);
});

test('a non-SDXL model and encoders without hidden states get clear errors', async () => {
  const info = model('xl');
  const sessions = await ModelSessions.open(
    { ...info, components: ['text_encoder', 'unet', 'vae_decoder'] },
    pipeline.cache,
  );
  try {
    await expect(
      prepareSdxlConditioning(pipeline, sessions, { ...base, negativePrompt: '' }),
    ).rejects.toThrow(/no text_encoder_2/);
  } finally {
    sessions.release();
  }
  const fakeSession = { outputNames: ['last_hidden_state'] } as unknown as Parameters<
    typeof penultimateHiddenOutput
  >[0];
  expect(() => penultimateHiddenOutput(fakeSession, 'encoder')).toThrow(/hidden_states\.N/);
});

test('the shared generate pipeline runs SDXL models (batch, seeds, deterministic)', async () => {
  const generation = resolveGeneration(
    'a red fox',
    {
      model_id: 'xl',
      seed: 7,
      steps: 3,
      width: 64,
      height: 64,
      prompt_2: 'in snow',
      batch_size: 2,
    },
    registry.get('xl'),
  );
  const { context } = testContext(new MemoryImageStore());
  const items = await pipeline.generate(generation, context);
  const again = await pipeline.generate(generation, context);
  expect(items.map((item) => item.seed)).toEqual([7, 8]);
  expect(differs(items[0]!.image, again[0]!.image)).toBe(false);
  expect(differs(items[0]!.image, items[1]!.image)).toBe(true);
});
