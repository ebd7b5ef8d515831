import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { canvasOperations } from '@viwo/canvas';
import { type RunwareStandIn, startRunwareStandIn } from '@viwo/plugin-runware/testing';
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

const KEY = 'e2e-runware-key-0123456789';
let standIn: RunwareStandIn;
let server: AppServer;
let browser: Browser;
let page: Page;

describe.skipIf(Boolean(browserMissing))('Runware backend in Chromium', () => {
  beforeAll(async () => {
    standIn = startRunwareStandIn({ apiKeys: [KEY], videoPolls: 0 });
    // The real `viwo serve` with every default plugin; runware reaches the stand-in by env.
    server = await startAppServer({ env: { VIWO_RUNWARE_URL: standIn.url, RUNWARE_API_KEY: KEY } });
    browser = await launchBrowser();
    page = await openApp(browser, server.url);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await standIn?.stop();
  });

  test('switch the generate panel to Runware, generate, the result lands in the canvas', async () => {
    await page.keyboard.press('v');
    await dragOnCanvas(page, [
      [64, 64],
      [320, 256],
    ]);
    await page.click('[data-testid=backend-runware]');
    const model = page.locator('[data-testid=runware-model]');
    await model.fill('runware:100@1');
    await model.blur(); // commits the field (its change event)
    // The local model picker gives way to the AIR id field.
    expect(await page.locator('[data-testid=opt-model_id]').count()).toBe(0);
    await page.selectOption('[data-testid=mode]', 'txt2img');
    await page.fill('[data-testid=prompt]', 'a lighthouse on a cliff');
    await page.click('[data-testid=generate]');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid^="layer-gen-"]').length > 0,
      undefined,
      { timeout: 60_000 },
    );
    const task = (await standIn.waitForTask('imageInference')) as Record<string, unknown>;
    expect(task).toMatchObject({
      positivePrompt: 'a lighthouse on a cliff',
      model: 'runware:100@1',
    });
    const recorded = canvasOperations(await pageScript(page));
    const load = recorded.findLast((operation) => operation[0] === 'canvas.layer.load_image')!;
    const expression = load[2] as unknown[];
    expect(expression[1]).toEqual(['get_capability', 'runware']);
    expect(expression.at(-1)).toMatchObject({ model_id: 'runware:100@1' });
    expect([load[3], load[4]]).toEqual([64, 64]);
    await page.waitForSelector('[data-testid=runware-cost]:has-text("$0.0019 per image")');
    expect(await page.locator('[data-testid=runware-cost]').textContent()).toContain(
      'this session $0.0019',
    );
    // The model is remembered among the suggestions.
    const suggested = await page
      .locator('#runware-models option')
      .evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
    expect(suggested[0]).toBe('runware:100@1');
  });

  test('the gallery plays a generated video served with its content type', async () => {
    await page.evaluate(async () => {
      const viwo = (
        window as unknown as {
          __viwo: { rpc: { call(method: string, params: unknown): Promise<unknown> } };
        }
      ).__viwo;
      await viwo.rpc.call('execute_script', {
        script: [
          'std.call_method',
          ['get_capability', 'runware'],
          'textToVideo',
          'waves at night',
          { model_id: 'klingai:5@3', width: 640, height: 352, duration: 3 },
        ],
      });
    });
    await page.click('[data-testid=open-gallery]');
    const video = page.locator('[data-testid=gallery-video] video').first();
    await video.waitFor();
    const src = (await video.getAttribute('src'))!;
    expect(src).toMatch(/^\/videos\/[0-9a-f]{64}\.mp4$/);
    const type = await page.evaluate(
      async (url) => (await fetch(url)).headers.get('content-type'),
      src,
    );
    expect(type).toBe('video/mp4');
    await page.click('[data-testid=open-gallery]');
  });

  test('Settings shows the key as set, never its value', async () => {
    await page.click('[data-testid=open-settings]');
    await page.waitForSelector('[data-testid=runware-key-status]');
    expect(await page.locator('[data-testid=runware-key-status]').textContent()).toContain(
      'from RUNWARE_API_KEY',
    );
    expect(await page.content()).not.toContain(KEY);
    const input = page.locator('[data-testid=runware-key-input]');
    expect(await input.getAttribute('type')).toBe('password');
  });
});
