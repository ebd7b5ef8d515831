import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, type ImageValue, type Runtime } from '@viwo/core';
import { ScriptError } from '@viwo/script';
import { createDiffusersPlugin } from '../src/diffusers-plugin.ts';

let dataDir: string;
let runtime: Runtime;
const SIZE = 64;
const generate = ['get_capability', 'diffusers.generate'];
const base = {
  model_id: 'tiny-sd15',
  steps: 3,
  guidance_scale: 4,
  seed: 11,
  width: SIZE,
  height: SIZE,
};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'viwo-regions-'));
  runtime = await createRuntime({ dataDir, plugins: [createDiffusersPlugin()] });
});
afterAll(async () => {
  await runtime.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A mask: white where `inside(x, y)`. */
function mask(inside: (x: number, y: number) => boolean): Promise<ImageValue> {
  const data = new Uint8Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++)
      if (inside(x, y)) data.fill(255, (y * SIZE + x) * 3, (y * SIZE + x + 1) * 3);
  return runtime.images.putRaw({ data, width: SIZE, height: SIZE, channels: 3 });
}

async function run(prompt: string, options: Record<string, unknown>): Promise<ImageValue> {
  const session = runtime.openSession('local');
  try {
    return (
      await session.executeScript(['std.call_method', generate, 'textToImage', prompt, options])
    ).result as ImageValue;
  } finally {
    session.close();
  }
}

async function pixels(image: ImageValue): Promise<Uint8Array> {
  return (await runtime.images.getRaw(image, 3)).data;
}

function meanDifference(left: Uint8Array, right: Uint8Array): number {
  let total = 0;
  for (let index = 0; index < left.length; index++) total += Math.abs(left[index]! - right[index]!);
  return total / left.length;
}

describe('regional prompts', () => {
  test('metadata declares regions: [{mask, prompt, negative_prompt?, strength}]', () => {
    const method = runtime
      .capabilityMetadata()
      .find((entry) => entry.type === 'diffusers.generate')
      ?.methods.find((entry) => entry.name === 'textToImage');
    const regions = method?.params
      .find((param) => param.name === 'options')
      ?.fields?.find((field) => field.name === 'regions');
    expect(regions?.type).toBe('list');
    expect(regions?.items?.fields?.map((field) => field.name)).toEqual([
      'mask',
      'prompt',
      'negative_prompt',
      'strength',
    ]);
  });

  test('an empty mask leaves the picture as the base prompt makes it', async () => {
    const plain = await pixels(await run('a red ball', base));
    const empty = await mask(() => false);
    const regional = await run('a red ball', {
      ...base,
      regions: [{ mask: empty, prompt: 'a blue cube' }],
    });
    expect(meanDifference(await pixels(regional), plain)).toBe(0);
  });

  test('a full mask at strength 1 gives the region prompt the whole picture', async () => {
    const full = await mask(() => true);
    const regional = await pixels(
      await run('a red ball', { ...base, regions: [{ mask: full, prompt: 'a blue cube' }] }),
    );
    const asBase = await pixels(await run('a blue cube', base));
    const plain = await pixels(await run('a red ball', base));
    // Equal up to float noise between a batched and an unbatched UNet row.
    expect(meanDifference(regional, asBase)).toBeLessThan(1);
    expect(meanDifference(regional, plain)).toBeGreaterThan(meanDifference(regional, asBase));
  });

  test('a half mask steers its half; the result is deterministic and its script reproduces it', async () => {
    const left = await mask((x) => x < SIZE / 2);
    const options = {
      ...base,
      regions: [{ mask: left, prompt: 'a blue cube', negative_prompt: 'blurry', strength: 0.8 }],
    };
    const first = await run('a red ball', options);
    const second = await run('a red ball', options);
    expect(second.$image).toBe(first.$image);
    const plain = await pixels(await run('a red ball', base));
    expect(meanDifference(await pixels(first), plain)).toBeGreaterThan(0);
    const text = await runtime.images.getText(first.$image);
    expect(text.parameters).toContain('Regions: 1');
    expect(text.viwo).toContain('a blue cube');
  });

  test('cost counts one more UNet evaluation per region; bad regions are clear errors', async () => {
    const full = await mask(() => true);
    const cap = ((SIZE * SIZE * 3) / 1e6) * 1.5; // enough for 1 evaluation, not 2
    await run('a red ball', { ...base, max_compute: cap });
    const refused = await run('a red ball', {
      ...base,
      max_compute: cap,
      regions: [{ mask: full, prompt: 'a blue cube' }],
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ScriptError);
    const typo = await run('a red ball', {
      ...base,
      regions: [{ mask: full, promt: 'x' }],
    }).catch((error: unknown) => error as ScriptError);
    expect(String((typo as ScriptError).message)).toContain('promt');
    const sdxl = await run('a red ball', {
      model_id: 'tiny-sdxl-turbo',
      width: SIZE,
      height: SIZE,
      regions: [{ mask: full, prompt: 'a blue cube' }],
    }).catch((error: unknown) => error as ScriptError);
    expect(String((sdxl as ScriptError).message)).toContain('SD 1.x/2.x');
  });
});
