import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { canvasOperations } from '@viwo/canvas';
import type { Browser, Page } from 'playwright-core';
import {
  type AppServer,
  browserMissing,
  dragOnCanvas,
  launchBrowser,
  openApp,
  pageScript,
  startAppServer,
} from './support/app-server.ts';

let server: AppServer;
let browser: Browser;
let page: Page;

type Execute = (script: unknown) => Promise<{ result: { $image: string } }>;

describe.skipIf(Boolean(browserMissing))('region layers in Layer Mode (Chromium)', () => {
  beforeAll(async () => {
    server = await startAppServer();
    browser = await launchBrowser();
    page = await openApp(browser, server.url);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('+ Region, mask-brush painting and prompt edits are recorded as canvas opcodes', async () => {
    await page.click('[data-testid=add-region]');
    const row = page.locator('[data-layer-type=region]');
    expect(await row.count()).toBe(1);
    const id = ((await row.getAttribute('data-testid')) ?? '').replace(/^layer-/, '');
    await page.keyboard.press('m');
    await dragOnCanvas(page, [
      [40, 40],
      [140, 60],
      [180, 160],
    ]);
    await page.fill(`[data-testid=region-prompt-${id}]`, 'a red apple');
    await page.press(`[data-testid=region-prompt-${id}]`, 'Enter');
    await page.fill(`[data-testid=region-negative-${id}]`, 'blurry');
    await page.press(`[data-testid=region-negative-${id}]`, 'Enter');
    const recorded = canvasOperations(await pageScript(page)).slice(-4);
    expect(recorded[0]).toEqual(['canvas.layer.create', id, 'Region', 'region']);
    expect(recorded[1]?.[0]).toBe('canvas.draw_stroke');
    expect(recorded[1]?.[1]).toBe(id);
    expect(recorded[1]?.[5]).toBe('mask');
    expect(recorded.slice(2)).toEqual([
      ['canvas.layer.update', id, { prompt: 'a red apple' }],
      ['canvas.layer.update', id, { negative_prompt: 'blurry' }],
    ]);
  });

  test('Generate passes the region as options.regions and the recorded call replays headless', async () => {
    await page.keyboard.press('v');
    await dragOnCanvas(page, [
      [0, 0],
      [256, 192],
    ]);
    await page.selectOption('[data-testid=mode]', 'txt2img');
    await page.fill('[data-testid=prompt]', 'a still life');
    await page.click('[data-testid=generate]');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid^="layer-gen-"]').length > 0,
      undefined,
      { timeout: 120_000 },
    );
    const operations = canvasOperations(await pageScript(page));
    const load = operations.findLast((operation) => operation[0] === 'canvas.layer.load_image')!;
    const expression = load[2] as unknown[];
    expect(expression.slice(0, 4)).toEqual([
      'std.call_method',
      ['get_capability', 'diffusers.generate'],
      'textToImage',
      'a still life',
    ]);
    const options = expression[4] as {
      regions: { mask: { $image: string; width: number }; prompt: string }[];
    };
    expect(options.regions).toHaveLength(1);
    expect(options.regions[0]).toMatchObject({
      prompt: 'a red apple',
      negative_prompt: 'blurry',
      strength: 1,
      mask: { width: 256, height: 192 },
    });
    // The mask is white inside the painted stroke and black outside it.
    const maskPixels = await page.evaluate(async (hash) => {
      const bitmap = await createImageBitmap(await (await fetch(`/images/${hash}.png`)).blob());
      const canvas = document.createElement('canvas');
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
      const context = canvas.getContext('2d')!;
      context.drawImage(bitmap, 0, 0);
      const at = (x: number, y: number) => context.getImageData(x, y, 1, 1).data[0];
      return [at(140, 60), at(250, 10)];
    }, options.regions[0]!.mask.$image);
    expect(maskPixels).toEqual([255, 0]);
    // The whole recorded script, run on the server (the generation re-run from its recorded call,
    // regions included), gives the composite the browser shows.
    const worst = await page.evaluate(
      async (script) => {
        const viwo = window as unknown as {
          __viwo: { workbench: { execute: Execute } };
          __viwoComposite: () => Uint8ClampedArray;
        };
        const outcome = await viwo.__viwo.workbench.execute([
          'std.seq',
          ...(script as unknown[]).slice(1),
          ['canvas.composite'],
        ]);
        const response = await fetch(`/images/${outcome.result.$image}.png`);
        const bitmap = await createImageBitmap(await response.blob());
        const canvas = document.createElement('canvas');
        canvas.width = bitmap.width;
        canvas.height = bitmap.height;
        const context = canvas.getContext('2d')!;
        context.drawImage(bitmap, 0, 0);
        const remote = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
        const local = viwo.__viwoComposite();
        let difference = 0;
        for (let index = 0; index < local.length; index++)
          difference = Math.max(difference, Math.abs(local[index]! - remote[index]!));
        return difference;
      },
      await pageScript(page),
    );
    expect(worst).toBeLessThanOrEqual(1);
    if (process.env.VIWO_SCREENSHOTS)
      await page.screenshot({ path: 'docs/screenshots/region-layers.png' });
  });
});
