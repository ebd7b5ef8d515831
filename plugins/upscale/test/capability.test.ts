import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CapabilityCallContext, CapabilityDefinition, ImageValue, Plugin } from '@viwo/core';
import { runMethod } from '@viwo/core/testing';
import sharp from 'sharp';
import { discoverInstalledModels, type UpscaleModelEntry } from '../src/converter/model-catalog.ts';
import { createUpscalePlugin } from '../src/plugin.ts';
import { callContext } from './support/call-context.ts';
import { MemoryImageStore } from './support/memory-image-store.ts';

let dataDir: string;
let images: MemoryImageStore;
let models: UpscaleModelEntry[];
let plugin: Plugin;
let capability: CapabilityDefinition;
let photo: ImageValue;

async function initPlugin(
  types: string[],
  options: Parameters<typeof createUpscalePlugin>[0] = {},
): Promise<{ plugin: Plugin; capability: CapabilityDefinition }> {
  const created = createUpscalePlugin({ models, threads: 2, ...options });
  await created.init({ dataDir, images, availableCapabilityTypes: () => types, log: () => {} });
  return { plugin: created, capability: created.capabilities()[0]! };
}

function method(definition: CapabilityDefinition, name: string) {
  const found = definition.methods[name];
  if (!found) throw new Error(`no method ${name}`);
  return found;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'upscale-capability-'));
  images = new MemoryImageStore();
  models = await discoverInstalledModels();
  ({ plugin, capability } = await initPlugin([]));
  const slim = models.find((entry) => entry.id === 'esrgan-slim')!;
  const fixture = await sharp(join(slim.packageDir, 'assets', 'fixture.png'))
    .extract({ left: 32, top: 32, width: 48, height: 40 })
    .removeAlpha()
    .raw()
    .toBuffer();
  photo = await images.putRaw({
    data: new Uint8Array(fixture),
    width: 48,
    height: 40,
    channels: 3,
  });
});

afterAll(async () => {
  await plugin.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

describe('upscale capability metadata', () => {
  test('enum options list the installed models and factors; hybrid and faces are absent', () => {
    expect(capability.type).toBe('upscale');
    expect(Object.keys(capability.methods)).toEqual(['upscale', 'upscaleTraditional']);
    const fields = method(capability, 'upscale').params[1]!.fields!;
    expect(fields.find((field) => field.name === 'model')!.options).toEqual([
      'esrgan-slim',
      'esrgan-medium',
      'esrgan-thick',
      'default',
    ]);
    expect(fields.find((field) => field.name === 'factor')!.options).toEqual([2, 3, 4, 8]);
    expect(
      method(capability, 'upscaleTraditional').params[1]!.fields!.find(
        (field) => field.name === 'method',
      )!.options,
    ).toEqual(['lanczos', 'bicubic', 'bilinear', 'nearest', 'area']);
  });

  test('upscaleHybrid registers only when diffusers.generate is available, and composes through invoke', async () => {
    const { plugin: withDiffusers, capability: hybrid } = await initPlugin([
      'upscale',
      'diffusers.generate',
    ]);
    expect(Object.keys(hybrid.methods)).toContain('upscaleHybrid');
    const context = callContext(images, {
      invoke: async (type, name, args) => {
        context.invocations.push([type, name, args]);
        return { $image: 'f'.repeat(64), width: 96, height: 80 };
      },
    });
    const result = await runMethod(hybrid, 'upscaleHybrid', context, [
      photo,
      'a red house',
      { factor: 2, denoise_strength: 0.25, seed: 7 },
    ]);
    expect(result).toEqual({ $image: 'f'.repeat(64), width: 96, height: 80 });
    const [type, name, args] = context.invocations[0] as [string, string, unknown[]];
    expect([type, name]).toEqual(['diffusers.generate', 'imageToImage']);
    expect(args[0]).toMatchObject({ width: 96, height: 80 });
    expect(args.slice(1)).toEqual(['a red house', { strength: 0.25, seed: 7 }]);
    await expect(
      runMethod(hybrid, 'upscaleHybrid', context, [photo, 'x', { denoise_strength: 0.9 }]),
    ).rejects.toThrow(/options.denoise_strength must be at most 0.4/);
    await withDiffusers.dispose();
  });
});

describe('upscale (ESRGAN)', () => {
  test('writes a PNG with model, scale and tiling in text chunks, deterministically, with progress per tile', async () => {
    const context = callContext(images);
    const run = (context: CapabilityCallContext, image: ImageValue, options: object) =>
      runMethod(capability, 'upscale', context, [image, options]);
    const result = (await run(context, photo, {
      model: 'esrgan-slim',
      factor: 2,
      tile_size: 32,
    })) as ImageValue;
    expect([result.width, result.height]).toEqual([96, 80]);
    const text = await images.getText(result.$image);
    expect(JSON.parse(text.viwo!)).toEqual({
      kind: 'upscale',
      model: 'esrgan-slim',
      scale: 2,
      tiling: { tile_size: 32, overlap: 8, tiles: 4 },
      alpha: 'none',
    });
    expect(text.parameters).toContain('esrgan-slim');
    expect(context.reports.map((report) => `${report.step}/${report.total}`)).toEqual([
      '1/4',
      '2/4',
      '3/4',
      '4/4',
    ]);
    const again = (await run(callContext(images), photo, {
      model: 'esrgan-slim',
      factor: 2,
      tile_size: 32,
    })) as ImageValue;
    expect(again.$image).toBe(result.$image);
  });

  test('alpha is preserved: upscaled classically and re-attached', async () => {
    const size = 24;
    const rgba = new Uint8Array(size * size * 4);
    for (let pixel = 0; pixel < size * size; pixel++) {
      rgba.set(
        [(pixel * 7) % 256, (pixel * 3) % 256, 128, pixel % size < size / 2 ? 255 : 0],
        pixel * 4,
      );
    }
    const image = await images.putRaw({ data: rgba, width: size, height: size, channels: 4 });
    const result = (await runMethod(capability, 'upscale', callContext(images), [
      image,
      { model: 'esrgan-slim', factor: 4 },
    ])) as ImageValue;
    const raw = await images.getRaw(result, 4);
    expect([raw.width, raw.height]).toEqual([96, 96]);
    const alphaAt = (x: number, y: number) => raw.data[(y * 96 + x) * 4 + 3];
    expect(alphaAt(5, 50)).toBe(255);
    expect(alphaAt(90, 50)).toBe(0);
    expect(JSON.parse((await images.getText(result.$image)).viwo!).alpha).toBe('lanczos');
  });

  test('cancellation before the first tile stops the run', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      runMethod(capability, 'upscale', callContext(images, { signal: controller.signal }), [
        photo,
        { model: 'esrgan-slim', factor: 2 },
      ]),
    ).rejects.toMatchObject({ code: 'Cancelled' });
  });

  test('bad inputs give clear errors', async () => {
    const run = (image: unknown, options: unknown) =>
      runMethod(capability, 'upscale', callContext(images), [image, options]);
    await expect(run(photo, { model: 'esrgan-huge', factor: 4 })).rejects.toThrow(
      /options.model must be one of "esrgan-slim", "esrgan-medium", "esrgan-thick", "default", got string "esrgan-huge"/,
    );
    await expect(run(photo, { model: 'default', factor: 4 })).rejects.toThrow(
      /model default does not offer factor 4 \(offered: 2\)/,
    );
    await expect(run(photo, { model: 'esrgan-slim', factor: 5 })).rejects.toMatchObject({
      code: 'InvalidArgument',
    });
    await expect(run(images.putCorrupt(16, 16), { factor: 2 })).rejects.toThrow(
      /could not be read/,
    );
    await expect(run({ $image: photo.$image, width: 0, height: 0 }, { factor: 2 })).rejects.toThrow(
      /image must be an image value/,
    );
    await expect(
      run({ ...photo, width: 4000, height: 3000 }, { model: 'esrgan-slim', factor: 4 }),
    ).rejects.toThrow(/over the limit of 16777216/);
    await expect(run('not an image', {})).rejects.toThrow(/image must be an image value/);
    await expect(run(photo, { model: 'esrgan-slim', factr: 2 })).rejects.toThrow(
      /options.factr is not a known option/,
    );
    await expect(run(photo, { tile_size: 5 })).rejects.toThrow(
      /options.tile_size must be at least 32/,
    );
  });
});

describe('upscaleTraditional', () => {
  const run = (options: unknown, image: ImageValue = photo) =>
    runMethod(capability, 'upscaleTraditional', callContext(images), [image, options]);

  test('every method at factors 2 and 4 and at an explicit size', async () => {
    for (const name of ['lanczos', 'bicubic', 'bilinear', 'nearest', 'area']) {
      for (const factor of [2, 4]) {
        const result = (await run({ method: name, factor })) as ImageValue;
        expect([result.width, result.height]).toEqual([48 * factor, 40 * factor]);
      }
      const sized = (await run({ method: name, width: 100, height: 70 })) as ImageValue;
      expect([sized.width, sized.height]).toEqual([100, 70]);
    }
    const widthOnly = (await run({ width: 96 })) as ImageValue;
    expect([widthOnly.width, widthOnly.height]).toEqual([96, 80]);
  });

  test('nearest and integer-factor area replicate pixels exactly; non-integer area averages coverage', async () => {
    const tiny = await images.putRaw({
      data: new Uint8Array([0, 0, 0, 90, 90, 90]),
      width: 2,
      height: 1,
      channels: 3,
    });
    for (const name of ['nearest', 'area']) {
      const raw = await images.getRaw(
        (await run({ method: name, factor: 2 }, tiny)) as ImageValue,
        3,
      );
      expect([...raw.data.filter((_, index) => index % 3 === 0)]).toEqual([
        0, 0, 90, 90, 0, 0, 90, 90,
      ]);
    }
    // 2 → 3 pixels: the middle output covers half of each source pixel.
    const raw = await images.getRaw(
      (await run({ method: 'area', width: 3, height: 1 }, tiny)) as ImageValue,
      3,
    );
    expect([raw.data[0], raw.data[3], raw.data[6]]).toEqual([0, 45, 90]);
  });

  test('bad options give clear errors', async () => {
    await expect(run({ method: 'sinc' })).rejects.toThrow(
      /options.method must be one of "lanczos", .*got string "sinc"/,
    );
    await expect(run({ factor: 0.5 })).rejects.toThrow(/options.factor must be at least 1/);
    await expect(run({ width: -3 })).rejects.toThrow(/options.width must be at least 1/);
    await expect(run({ width: 5000, height: 5000 })).rejects.toThrow(/over the limit/);
  });
});
