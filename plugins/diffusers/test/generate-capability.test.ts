import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CapabilityDefinition, capabilityMetadata, type ImageValue } from '@viwo/core';
import { methodCost, runMethod } from '@viwo/core/testing';
import { createGenerateCapability } from '../src/capability/generate-capability.ts';
// Every tiny layout registers itself on import; load them all (as the plugin does) so the
// installed set does not depend on which other test files ran first in this process.
import '../src/diffusers-plugin.ts';
import { ModelRegistry } from '../src/models/model-registry.ts';
import { SessionCache } from '../src/models/session-cache.ts';
import { StableDiffusionPipeline } from '../src/pipeline/stable-diffusion-pipeline.ts';
import { writeModelFolder } from '../src/tiny-models/tiny-model-files.ts';
import { tinySdModelFiles } from '../src/tiny-models/tiny-sd-model.ts';
import { MemoryImageStore, testContext } from './support/test-context.ts';

let dataDir: string;
let registry: ModelRegistry;
let pipeline: StableDiffusionPipeline;
let capability: CapabilityDefinition;
const images = new MemoryImageStore();

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'viwo-diffusers-'));
  registry = new ModelRegistry(dataDir);
  await registry.init();
  pipeline = new StableDiffusionPipeline(registry, new SessionCache());
  capability = createGenerateCapability(pipeline);
});
afterAll(async () => {
  await pipeline.cache.clear();
  await rm(dataDir, { recursive: true, force: true });
});

async function textToImage(
  prompt: string,
  options: Record<string, unknown>,
  extra: Parameters<typeof testContext>[1] = {},
) {
  const call = testContext(images, extra);
  const result = await runMethod(capability, 'textToImage', call.context, [prompt, options]);
  return { result: result as ImageValue | ImageValue[], ...call };
}

describe('registry', () => {
  test('first start installs the tiny test models, labelled test, tiny-sd15 default', () => {
    expect(registry.list().map((model) => model.id)).toEqual([
      'tiny-sd-turbo',
      'tiny-sd15',
      'tiny-sd15-controlnet',
      'tiny-sd15-inpaint',
      'tiny-sd2',
      'tiny-sdxl-turbo',
    ]);
    expect(registry.list().every((model) => model.test)).toBe(true);
    expect(registry.defaultModel()?.id).toBe('tiny-sd15');
    const sd2 = registry.get('tiny-sd2');
    expect(sd2.family).toBe('sd2');
    expect(sd2.schedulerConfig.prediction_type).toBe('v_prediction');
    expect(registry.get('tiny-sd-turbo').defaults).toEqual({
      steps: 1,
      guidanceScale: 0,
      scheduler: 'euler_a',
    });
  });

  test('metadata lists installed models, schedulers and every option key', () => {
    const options = capability.methods.textToImage!.params[1]!;
    expect(options.type).toBe('object');
    expect(options.fields!.map((field) => field.name)).toEqual([
      'model_id',
      'steps',
      'guidance_scale',
      'strength',
      'scheduler',
      'seed',
      'width',
      'height',
      'negative_prompt',
      'prompt_2',
      'negative_prompt_2',
      'max_compute',
      'regions',
      'batch_size',
    ]);
    // Only models that run here: the ControlNet export's UNet needs residuals (apply only).
    expect(options.fields!.find((field) => field.name === 'model_id')!.options).toEqual([
      'tiny-sd-turbo',
      'tiny-sd15',
      'tiny-sd2',
      'tiny-sdxl-turbo',
    ]);
    expect(options.fields!.find((field) => field.name === 'scheduler')!.options).toContain(
      'dpmpp_2m_karras',
    );
  });
});

describe('metadata defaults', () => {
  test('show what a call without options really uses: the default model and its family defaults', () => {
    const [textToImage, imageToImage] = capabilityMetadata(capability).methods;
    const defaults = (method: typeof textToImage) =>
      Object.fromEntries(
        method!.params
          .at(-1)!
          .fields!.flatMap((field) =>
            field.default === undefined ? [] : [[field.name, field.default]],
          ),
      );
    const model = registry.defaultModel()!;
    expect(model.id).toBe('tiny-sd15');
    expect(defaults(textToImage)).toEqual({
      model_id: 'tiny-sd15',
      steps: model.defaults.steps,
      guidance_scale: model.defaults.guidanceScale,
      scheduler: model.defaults.scheduler,
      width: model.nativeSize,
      height: model.nativeSize,
      batch_size: 1,
    });
    // img2img keeps the input's size and repaints 75 % unless told otherwise.
    expect(defaults(imageToImage)).toEqual({
      model_id: 'tiny-sd15',
      steps: model.defaults.steps,
      guidance_scale: model.defaults.guidanceScale,
      scheduler: model.defaults.scheduler,
      strength: 0.75,
      batch_size: 1,
    });
  });

  test('a ControlNet model is refused by name before any work, not a missing-input failure', async () => {
    await expect(
      textToImage('a cat', { model_id: 'tiny-sd15-controlnet', steps: 1, width: 64, height: 64 }),
    ).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringContaining('options.model_id must be one of'),
    });
  });

  test('a call without options runs with exactly the defaults metadata shows', async () => {
    const { result } = await textToImage('a fox', { seed: 4 });
    const recorded = JSON.parse((await images.getText((result as ImageValue).$image)).viwo!);
    const shown = capabilityMetadata(capability).methods[0]!.params[1]!.fields!;
    for (const key of ['model_id', 'steps', 'guidance_scale', 'scheduler', 'width', 'height']) {
      expect(recorded.params.options[key]).toBe(shown.find((field) => field.name === key)!.default);
    }
  });
});

describe('textToImage', () => {
  test('same seed and params give identical PNG bytes; other seeds and prompts differ', async () => {
    const options = { seed: 7, steps: 6, width: 64, height: 64 };
    const first = (await textToImage('a red cat', options)).result as ImageValue;
    const second = (await textToImage('a red cat', options)).result as ImageValue;
    expect(second.$image).toBe(first.$image);
    const otherSeed = (await textToImage('a red cat', { ...options, seed: 8 }))
      .result as ImageValue;
    expect(otherSeed.$image).not.toBe(first.$image);
    const otherPrompt = (await textToImage('blue ocean', options)).result as ImageValue;
    expect(otherPrompt.$image).not.toBe(first.$image);
    const raw = await images.getRaw(first, 3);
    const distinct = new Set(raw.data).size;
    expect(distinct).toBeGreaterThan(40);
  });

  test('PNG carries A1111 parameters and a reproducing viwo script, no timestamps', async () => {
    const { result } = await textToImage('a photo of a dog', {
      seed: 3,
      steps: 4,
      width: 64,
      height: 64,
      negative_prompt: 'blurry',
      guidance_scale: 5,
    });
    const text = await images.getText((result as ImageValue).$image);
    expect(text.parameters).toBe(
      'a photo of a dog\nNegative prompt: blurry\nSteps: 4, Sampler: Euler, CFG scale: 5, Seed: 3, Size: 64x64, Model: tiny-sd15',
    );
    const viwo = JSON.parse(text.viwo!) as { script: unknown[] };
    expect(viwo.script.slice(0, 4)).toEqual([
      'std.call_method',
      ['get_capability', 'diffusers.generate'],
      'textToImage',
      'a photo of a dog',
    ]);
    expect(text.viwo).not.toMatch(/20\d\d-\d\d-\d\d/);
  });

  test('progress per step with previews; batch records seed + i', async () => {
    const { result, progress, seeds } = await textToImage('a cat', {
      seed: 100,
      steps: 8,
      width: 64,
      height: 64,
      batch_size: 2,
    });
    expect(Array.isArray(result)).toBe(true);
    expect((result as ImageValue[]).length).toBe(2);
    expect(seeds).toEqual([100, 101]);
    expect(progress.map((report) => report.step)).toEqual(
      Array.from({ length: 16 }, (_, index) => index + 1),
    );
    expect(progress.every((report) => report.total === 16)).toBe(true);
    expect(progress.filter((report) => report.preview).length).toBeGreaterThanOrEqual(4);
    const single = (await textToImage('a cat', { seed: 101, steps: 8, width: 64, height: 64 }))
      .result as ImageValue;
    // Item i of a batch is the same image as a single run with seed + i (only the chunks agree too).
    expect(single.$image).toBe((result as ImageValue[])[1]!.$image);
  });

  test('odd sizes are padded for the model and cropped back (160×120)', async () => {
    const { result } = await textToImage('a castle', {
      seed: 1,
      steps: 3,
      width: 160,
      height: 120,
    });
    expect(result).toMatchObject({ width: 160, height: 120 });
    const raw = await images.getRaw(result as ImageValue, 3);
    expect([raw.width, raw.height]).toEqual([160, 120]);
  });

  test('every scheduler and every tiny family produces an image', async () => {
    for (const scheduler of ['euler', 'euler_a', 'ddim', 'dpmpp_2m', 'dpmpp_2m_karras']) {
      for (const model of ['tiny-sd15', 'tiny-sd2']) {
        const { result } = await textToImage('a tree', {
          model_id: model,
          scheduler,
          seed: 5,
          steps: 4,
          width: 64,
          height: 64,
          guidance_scale: 7,
        });
        expect(result).toMatchObject({ width: 64, height: 64 });
      }
    }
    const turbo = await textToImage('a tree', {
      model_id: 'tiny-sd-turbo',
      seed: 5,
      width: 64,
      height: 64,
    });
    expect(turbo.progress.length).toBe(1);
    expect((await images.getText((turbo.result as ImageValue).$image)).parameters).toContain(
      'Steps: 1, Sampler: Euler a, CFG scale: 0',
    );
  });

  test('cancellation between steps stops the run', async () => {
    const call = testContext(images, { abortAfterSteps: 2 });
    const run = runMethod(capability, 'textToImage', call.context, [
      'a cat',
      { seed: 1, steps: 20, width: 64, height: 64 },
    ]);
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(call.progress.length).toBe(2);
  });

  test('budget: cost() is width·height·steps/1e6 and max_compute refuses', async () => {
    const cost = (options: object) =>
      methodCost(capability, 'textToImage', { images }, ['x', options]);
    expect(await cost({ width: 504, height: 400, steps: 10 })).toBeCloseTo(2.016, 6);
    expect(await cost({ width: 504, height: 400, steps: 10, batch_size: 3 })).toBeCloseTo(6.048, 6);
    // Without steps and size the default model's (tiny-sd15) are charged, as run uses them.
    const model = registry.defaultModel()!;
    expect(await cost({})).toBeCloseTo((model.nativeSize ** 2 * model.defaults.steps) / 1e6, 6);
    // Core refuses a call over `max_compute` using this cost (tests/diffusers/server-generate).
  });

  test('bad options give clear errors naming the key', async () => {
    await expect(textToImage('x', { stepz: 3 })).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringContaining('options.stepz is not a known option'),
    });
    await expect(textToImage('x', { steps: 'many' })).rejects.toThrow(
      /options.steps must be an integer, got string "many"/,
    );
    await expect(textToImage('x', { model_id: 'nope' })).rejects.toThrow(
      /options.model_id must be one of .*"tiny-sd15".*got string "nope"/,
    );
    await expect(textToImage('x', { scheduler: 'plms' })).rejects.toThrow(
      /options.scheduler must be one of "euler",.* got string "plms"/,
    );
    await expect(textToImage('x', { width: 32 })).rejects.toThrow(
      /options.width must be at least 64/,
    );
  });
});

describe('imageToImage', () => {
  test('strength selects the start step; output keeps the input size; deterministic', async () => {
    const source = (await textToImage('a house', { seed: 11, steps: 4, width: 96, height: 80 }))
      .result as ImageValue;
    const run = async (strength: number) => {
      const call = testContext(images);
      const result = (await runMethod(capability, 'imageToImage', call.context, [
        source,
        'a green forest',
        { seed: 2, steps: 10, strength },
      ])) as ImageValue;
      return { result, steps: call.progress.length };
    };
    const half = await run(0.5);
    expect(half.result).toMatchObject({ width: 96, height: 80 });
    expect(half.steps).toBe(5);
    expect((await run(0.5)).result.$image).toBe(half.result.$image);
    expect((await run(0.25)).steps).toBe(2);
    expect((await run(1)).steps).toBe(10);
    const text = await images.getText(half.result.$image);
    expect(text.parameters).toContain('Denoising strength: 0.5');
  });

  test('low strength stays close to the input, full strength departs from it', async () => {
    const source = (await textToImage('a house', { seed: 12, steps: 4, width: 64, height: 64 }))
      .result as ImageValue;
    const input = await images.getRaw(source, 3);
    const distance = async (strength: number) => {
      const result = (await runMethod(capability, 'imageToImage', testContext(images).context, [
        source,
        'a red cat',
        { seed: 3, steps: 10, strength },
      ])) as ImageValue;
      const output = await images.getRaw(result, 3);
      let sum = 0;
      for (let index = 0; index < output.data.length; index++)
        sum += Math.abs(output.data[index]! - input.data[index]!);
      return sum / output.data.length;
    };
    expect(await distance(0.1)).toBeLessThan(await distance(1));
  });
});

describe('export variants', () => {
  test('a half-precision UNet export runs (float16 I/O converted both ways)', async () => {
    await writeModelFolder(
      join(registry.root, 'half'),
      tinySdModelFiles('sd15', { precision: 'float16' }),
    );
    await registry.refresh();
    const half = (
      await textToImage('a red cat', { model_id: 'half', seed: 7, steps: 6, width: 64, height: 64 })
    ).result as ImageValue;
    const full = (
      await textToImage('a red cat', {
        model_id: 'tiny-sd15',
        seed: 7,
        steps: 6,
        width: 64,
        height: 64,
      })
    ).result as ImageValue;
    const [halfRaw, fullRaw] = [await images.getRaw(half, 3), await images.getRaw(full, 3)];
    let difference = 0;
    for (let index = 0; index < halfRaw.data.length; index++)
      difference += Math.abs(halfRaw.data[index]! - fullRaw.data[index]!);
    // Same weights in half precision: close to the float32 image, not identical.
    expect(difference / halfRaw.data.length).toBeLessThan(6);
    await rm(join(registry.root, 'half'), { recursive: true });
    await registry.refresh();
  });
});

describe('broken models', () => {
  test('missing model files and corrupt ONNX give clear errors', async () => {
    const root = registry.root;
    const files = tinySdModelFiles('sd15');
    const { 'unet/model.onnx': _unet, ...withoutUnet } = files;
    await writeModelFolder(join(root, 'no-unet'), withoutUnet);
    await writeModelFolder(join(root, 'corrupt'), files);
    await writeFile(join(root, 'corrupt/unet/model.onnx'), new Uint8Array([1, 2, 3, 4, 5]));
    await registry.refresh();
    expect(registry.broken()).toEqual([
      { id: 'no-unet', error: expect.stringContaining('missing unet/model.onnx') },
    ]);
    await expect(
      textToImage('x', { model_id: 'no-unet', width: 64, height: 64, steps: 1 }),
    ).rejects.toThrow(/model 'no-unet' cannot be used: .*missing unet\/model.onnx/);
    await expect(
      textToImage('x', { model_id: 'corrupt', width: 64, height: 64, steps: 1 }),
    ).rejects.toThrow(/cannot load ONNX model .*corrupt\/unet\/model.onnx/);
    await rm(join(root, 'no-unet'), { recursive: true });
    await rm(join(root, 'corrupt'), { recursive: true });
    await registry.refresh();
  });
});
