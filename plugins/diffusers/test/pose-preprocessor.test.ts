import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRuntime, type ImageValue, type Runtime } from '@viwo/core';
import sharp from 'sharp';
import { createDiffusersPlugin } from '../src/diffusers-plugin.ts';
import { drawPoseSkeletons, openPoseFromCoco } from '../src/preprocessors/pose-skeleton.ts';

/** Real photos of people shipped in @vladmandic/human (its sample sheet's top row). */
const require = createRequire(import.meta.url);
const samples = join(
  dirname(dirname(require.resolve('@vladmandic/human'))),
  'assets',
  'samples.jpg',
);
const PEOPLE = {
  standing: { left: 640, top: 0, width: 144, height: 160 },
  sitting: { left: 795, top: 0, width: 105, height: 160 },
  aPose: { left: 0, top: 0, width: 160, height: 160 },
};

let dataDir: string;
let runtime: Runtime;
const controlnet = ['get_capability', 'controlnet.generate'];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'viwo-pose-'));
  runtime = await createRuntime({ dataDir, plugins: [createDiffusersPlugin()] });
});
afterAll(async () => {
  await runtime.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

async function photo(crop: (typeof PEOPLE)[keyof typeof PEOPLE]): Promise<ImageValue> {
  const { data, info } = await sharp(samples)
    .extract(crop)
    .resize({ height: 384 })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return runtime.images.putRaw({
    data: new Uint8Array(data),
    width: info.width,
    height: info.height,
    channels: 3,
  });
}

/** Pixels of the map that are not black, and how many distinct limb colours appear. */
async function inspect(map: ImageValue) {
  const raw = await runtime.images.getRaw(map, 3);
  let lit = 0;
  const colours = new Set<number>();
  for (let offset = 0; offset < raw.data.length; offset += 3) {
    const [r, g, b] = [raw.data[offset]!, raw.data[offset + 1]!, raw.data[offset + 2]!];
    if (r + g + b === 0) continue;
    lit++;
    colours.add((r << 16) | (g << 8) | b);
  }
  return { lit, colours: colours.size, raw };
}

describe('pose preprocessor (MoveNet Lightning from @vladmandic/human)', () => {
  test('is offered as a control type with its confidence option', () => {
    const metadata = runtime
      .capabilityMetadata()
      .find((entry) => entry.type === 'controlnet.generate');
    const preprocess = metadata?.methods.find((method) => method.name === 'preprocess');
    expect(preprocess?.params.find((param) => param.name === 'type')?.options).toContain('pose');
    const fields = preprocess?.params.find((param) => param.name === 'options')?.fields ?? [];
    expect(fields.map((field) => field.name)).toContain('min_confidence');
  });

  for (const [name, crop] of Object.entries(PEOPLE)) {
    test(`draws an OpenPose skeleton of the person in a real photo (${name})`, async () => {
      const image = await photo(crop);
      const session = runtime.openSession('local');
      const map = (
        await session.executeScript([
          'std.call_method',
          controlnet,
          'preprocess',
          image,
          'pose',
          {},
        ])
      ).result as ImageValue;
      session.close();
      expect([map.width, map.height]).toEqual([image.width, image.height]);
      const { lit, colours } = await inspect(map);
      // A skeleton: a visible share of the picture, many of the 18 limb/joint colours.
      expect(lit).toBeGreaterThan(image.width * image.height * 0.01);
      expect(lit).toBeLessThan(image.width * image.height * 0.3);
      expect(colours).toBeGreaterThanOrEqual(10);
    });
  }

  test('the head is drawn above the hips (keypoints land where the person is)', async () => {
    const image = await photo(PEOPLE.aPose);
    const session = runtime.openSession('local');
    const map = (
      await session.executeScript(['std.call_method', controlnet, 'preprocess', image, 'pose', {}])
    ).result as ImageValue;
    session.close();
    const { raw } = await inspect(map);
    // Nose-to-eye limbs are drawn in (0, 0, 255)·0.6 = (0, 0, 153); hip limbs in (0, 255, 85)·0.6.
    const rowsOf = (r: number, g: number, b: number) => {
      const rows: number[] = [];
      for (let offset = 0; offset < raw.data.length; offset += 3) {
        if (raw.data[offset] === r && raw.data[offset + 1] === g && raw.data[offset + 2] === b)
          rows.push(Math.floor(offset / 3 / raw.width));
      }
      return rows;
    };
    const neckToNose = rowsOf(0, 0, 153);
    const rightHipToKnee = rowsOf(0, 153, 51);
    expect(neckToNose.length).toBeGreaterThan(0);
    expect(rightHipToKnee.length).toBeGreaterThan(0);
    expect(Math.max(...neckToNose)).toBeLessThan(Math.min(...rightHipToKnee));
  });

  test('an image with no person gives an empty (black) map, and confidence 1 draws nothing', async () => {
    const blank = await runtime.images.putRaw({
      data: new Uint8Array(96 * 80 * 3).fill(128),
      width: 96,
      height: 80,
      channels: 3,
    });
    const session = runtime.openSession('local');
    const empty = (
      await session.executeScript(['std.call_method', controlnet, 'preprocess', blank, 'pose', {}])
    ).result as ImageValue;
    expect((await inspect(empty)).lit).toBe(0);
    const strict = (
      await session.executeScript([
        'std.call_method',
        controlnet,
        'preprocess',
        await photo(PEOPLE.standing),
        'pose',
        { min_confidence: 1 },
      ])
    ).result as ImageValue;
    expect((await inspect(strict)).lit).toBe(0);
    const bad = await session
      .executeScript([
        'std.call_method',
        controlnet,
        'preprocess',
        blank,
        'pose',
        { min_confidence: 2 },
      ])
      .catch((error: unknown) => error as Error);
    expect(String((bad as Error).message)).toContain('min_confidence');
    session.close();
  });
});

test('skeleton drawing: the neck is the shoulders midpoint; low-confidence points are skipped', () => {
  const coco = Array.from({ length: 17 }, (_, index) => ({
    x: index * 4,
    y: index * 3,
    score: 0.9,
  }));
  const open = openPoseFromCoco(coco);
  expect(open).toHaveLength(18);
  expect(open[1]).toEqual({ x: (20 + 24) / 2, y: (15 + 18) / 2, score: 0.9 });
  const none = drawPoseSkeletons(
    32,
    32,
    [open.map((point) => point && { ...point, score: 0.1 })],
    0.3,
  );
  expect(none.data.every((value) => value === 0)).toBe(true);
});
