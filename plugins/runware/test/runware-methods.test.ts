import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { FileVideoStore, type ImageValue, isImageValue } from '@viwo/core';
import type { VideoValue } from '@viwo/protocol';
import sharp from 'sharp';
import { call, type RunwareFixture, runwareFixture } from './support/runware-fixture.ts';

let fixture: RunwareFixture;
let photo: ImageValue;

beforeAll(async () => {
  fixture = await runwareFixture({ pollIntervalMs: 5 });
  const pixels = new Uint8Array(96 * 80 * 3).map((_, index) => (index * 7) & 255);
  photo = await fixture.runtime.images.putRaw({ data: pixels, width: 96, height: 80, channels: 3 });
});

afterAll(async () => {
  await fixture.dispose();
});

function lastTask(taskType: string): Record<string, unknown> {
  const found = fixture.standIn.received.filter((entry) => entry.task.taskType === taskType);
  return found[found.length - 1]!.task;
}

describe('runware capability', () => {
  test('textToImage sends local option names as Runware fields and stores a PNG with our chunks', async () => {
    const result = await fixture.session.executeScript(
      call('textToImage', 'a lighthouse at dusk', {
        model_id: 'runware:100@1',
        steps: 4,
        guidance_scale: 3.5,
        seed: 42,
        width: 512,
        height: 512,
        negative_prompt: 'fog',
      }),
    );
    const image = result.result as ImageValue;
    expect(isImageValue(image)).toBe(true);
    expect([image.width, image.height]).toEqual([512, 512]);
    const task = lastTask('imageInference');
    expect(task).toMatchObject({
      positivePrompt: 'a lighthouse at dusk',
      negativePrompt: 'fog',
      model: 'runware:100@1',
      steps: 4,
      CFGScale: 3.5,
      seed: 42,
      width: 512,
      height: 512,
      numberResults: 1,
      includeCost: true,
    });
    const chunks = await fixture.runtime.images.getText(image.$image);
    expect(chunks.parameters).toContain('a lighthouse at dusk\nNegative prompt: fog\n');
    expect(chunks.parameters).toContain('Seed: 42, Size: 512x512, Model: runware:100@1');
    const viwo = JSON.parse(chunks.viwo!);
    expect(viwo.script).toEqual(
      call('textToImage', 'a lighthouse at dusk', {
        model_id: 'runware:100@1',
        steps: 4,
        guidance_scale: 3.5,
        seed: 42,
        width: 512,
        height: 512,
        negative_prompt: 'fog',
      }),
    );
    expect(result.cost).toBeCloseTo(0.0019, 10);
    const entry = fixture.runtime.history.get(result.job_id);
    expect(entry.seeds).toEqual([42]);
    expect(entry.cost).toBeCloseTo(0.0019, 10);
    expect(entry.params[0]?.cost).toBeCloseTo(0.0019, 10);
  });

  test('the same seed gives the same $image; batch_size becomes numberResults', async () => {
    const options = { seed: 7, width: 256, height: 256 };
    const first = await fixture.session.executeScript(call('textToImage', 'a red fox', options));
    const again = await fixture.session.executeScript(call('textToImage', 'a red fox', options));
    expect((again.result as ImageValue).$image).toBe((first.result as ImageValue).$image);
    const batch = await fixture.session.executeScript(
      call('textToImage', 'a red fox', { ...options, batch_size: 3 }),
    );
    const images = batch.result as ImageValue[];
    expect(images).toHaveLength(3);
    expect(images[0]!.$image).toBe((first.result as ImageValue).$image);
    expect(new Set(images.map((image) => image.$image)).size).toBe(3);
    expect(fixture.runtime.history.get(batch.job_id).seeds).toEqual([7, 8, 9]);
    expect(batch.cost).toBeCloseTo(3 * 0.0019, 10);
  });

  test('sizes off the 64-pixel grid are generated larger and cropped back', async () => {
    const result = await fixture.session.executeScript(
      call('textToImage', 'a small boat', { width: 200, height: 100, seed: 3 }),
    );
    const image = result.result as ImageValue;
    expect([image.width, image.height]).toEqual([200, 100]);
    expect(lastTask('imageInference')).toMatchObject({ width: 256, height: 128 });
  });

  test('imageToImage and inpaint upload their inputs once and send their UUIDs', async () => {
    const uploadsBefore = fixture.standIn.received.filter(
      (entry) => entry.task.taskType === 'imageUpload',
    ).length;
    const repainted = await fixture.session.executeScript(
      call('imageToImage', photo, 'as a watercolour', { strength: 0.6, seed: 5 }),
    );
    expect((repainted.result as ImageValue).width).toBe(96);
    const i2i = lastTask('imageInference');
    expect(i2i.strength).toBe(0.6);
    expect(typeof i2i.seedImage).toBe('string');
    const inpainted = await fixture.session.executeScript(
      call('inpaint', photo, photo, 'a window', { seed: 5 }),
    );
    expect(isImageValue(inpainted.result)).toBe(true);
    const inpaint = lastTask('imageInference');
    expect(inpaint.seedImage).toBe(i2i.seedImage);
    expect(inpaint.maskImage).toBe(i2i.seedImage);
    const uploadsAfter = fixture.standIn.received.filter(
      (entry) => entry.task.taskType === 'imageUpload',
    ).length;
    expect(uploadsAfter - uploadsBefore).toBe(1);
  });

  test('outpaint extends one side by whole grid cells and crops back to the asked size', async () => {
    const result = await fixture.session.executeScript(
      call('outpaint', photo, 'right', 40, 'more sea', { seed: 9 }),
    );
    const image = result.result as ImageValue;
    expect([image.width, image.height]).toEqual([136, 80]);
    const task = lastTask('imageInference');
    expect(task.outpaint).toEqual({ right: 192 - 96 });
    expect([task.width, task.height]).toEqual([192, 128]);
  });

  test('upscale and removeBackground answer images; enhancePrompt answers text', async () => {
    const upscaled = await fixture.session.executeScript(call('upscale', photo, { factor: 4 }));
    expect([(upscaled.result as ImageValue).width, (upscaled.result as ImageValue).height]).toEqual(
      [384, 320],
    );
    expect(lastTask('upscale').upscaleFactor).toBe(4);
    const cut = await fixture.session.executeScript(call('removeBackground', photo));
    const cutImage = cut.result as ImageValue;
    const raw = await fixture.runtime.images.getRaw(cutImage);
    expect(raw.data[3]).toBe(0); // the corner is transparent
    expect(lastTask('removeBackground').model).toBe('runware:109@1');
    const enhanced = await fixture.session.executeScript(
      call('enhancePrompt', 'a cat', { max_length: 64 }),
    );
    expect(enhanced.result).toBe('a cat, highly detailed, dramatic lighting, version 1');
    expect(lastTask('promptEnhance')).toMatchObject({ promptMaxLength: 64, promptVersions: 1 });
  });

  test('textToVideo polls getResponse until done and stores the video content-addressed', async () => {
    const progress: string[] = [];
    fixture.session.setNotifier((method, params) => {
      if (method === 'job.progress') progress.push(String(params.label));
    });
    const result = await fixture.session.executeScript(
      call('textToVideo', 'waves', {
        model_id: 'klingai:5@3',
        width: 640,
        height: 360,
        duration: 4,
        seed: 11,
      }),
    );
    fixture.session.setNotifier(() => {});
    const video = result.result as VideoValue;
    expect(video).toMatchObject({ width: 640, height: 360, duration: 4, mime: 'video/mp4' });
    const stored = await new FileVideoStore(fixture.dataDir).get(video.$video, 'mp4');
    expect(stored?.mime).toBe('video/mp4');
    const polls = fixture.standIn.received.filter((entry) => entry.task.taskType === 'getResponse');
    expect(polls.length).toBeGreaterThanOrEqual(3);
    expect(progress.some((label) => label.includes('processing'))).toBe(true);
    expect(progress.at(-1)).toBe('runware textToVideo: received 1 of 1');
    expect(fixture.runtime.history.get(result.job_id).result).toEqual(video);
  });

  test('imageToVideo sends the uploaded image as the first frame', async () => {
    const result = await fixture.session.executeScript(
      call('imageToVideo', photo, 'the sea moves', { model_id: 'klingai:5@3', duration: 5 }),
    );
    expect((result.result as VideoValue).mime).toBe('video/mp4');
    const task = lastTask('videoInference');
    expect((task.frameImages as { frame: string }[])[0]!.frame).toBe('first');
  });

  test('progress goes queued → sent → each result received', async () => {
    const progress: string[] = [];
    fixture.session.setNotifier((method, params) => {
      if (method === 'job.progress') progress.push(String(params.label));
    });
    await fixture.session.executeScript(
      call('textToImage', 'two moons', { batch_size: 2, width: 128, height: 128 }),
    );
    fixture.session.setNotifier(() => {});
    expect(progress).toEqual([
      'runware textToImage: queued',
      'runware textToImage: sent',
      'runware textToImage: received 1 of 2',
      'runware textToImage: received 2 of 2',
    ]);
  });

  test('the stored PNG decodes to the stand-in picture', async () => {
    const result = await fixture.session.executeScript(
      call('textToImage', 'check pixels', { seed: 1, width: 128, height: 128 }),
    );
    const png = await fixture.runtime.images.getPng((result.result as ImageValue).$image);
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    expect([meta.width, meta.height]).toEqual([128, 128]);
  });
});
