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

const opcodes = async () =>
  canvasOperations(await pageScript(page)).map((operation) => operation[0]);

describe.skipIf(Boolean(browserMissing))('Layer Mode in Chromium', () => {
  beforeAll(async () => {
    server = await startAppServer();
    browser = await launchBrowser();
    page = await openApp(browser, server.url);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('strokes and a mask are recorded as canvas opcodes; undo and redo', async () => {
    const before = (await opcodes()).length;
    await page.keyboard.press('b');
    await dragOnCanvas(page, [
      [60, 60],
      [200, 120],
      [300, 300],
    ]);
    await page.keyboard.press('m');
    await dragOnCanvas(page, [
      [300, 80],
      [420, 160],
    ]);
    const recorded = await opcodes();
    expect(recorded.length).toBe(before + 3);
    expect(recorded.slice(-3)).toEqual([
      'canvas.draw_stroke',
      'canvas.layer.create',
      'canvas.draw_stroke',
    ]);
    expect(await page.locator('[data-layer-type=mask]').count()).toBe(1);
    await page.keyboard.press('Control+z');
    expect((await opcodes()).length).toBe(before + 1);
    expect(await page.locator('[data-layer-type=mask]').count()).toBe(0);
    await page.keyboard.press('Control+Shift+z');
    expect((await opcodes()).length).toBe(before + 3);
  });

  test('generate into the bbox places the result in a new layer', async () => {
    await page.click('[data-testid=undo]');
    await page.click('[data-testid=undo]');
    await page.keyboard.press('v');
    await dragOnCanvas(page, [
      [64, 64],
      [320, 288],
    ]);
    await page.selectOption('[data-testid=mode]', 'txt2img');
    // Ctrl+Enter from the prompt box, as a user typing a prompt would.
    await page.focus('[data-testid=prompt]');
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid^="layer-gen-"]').length > 0,
      undefined,
      { timeout: 120_000 },
    );
    const recorded = canvasOperations(await pageScript(page));
    const load = recorded.findLast((operation) => operation[0] === 'canvas.layer.load_image')!;
    expect(load[3]).toBe(64);
    expect(load[4]).toBe(64);
    expect((load[2] as unknown[])[0]).toBe('std.call_method');
    expect(await page.locator('[data-testid=job]').count()).toBeGreaterThan(0);
    if (process.env.VIWO_SCREENSHOTS)
      await page.screenshot({ path: 'docs/screenshots/layer-mode.png' });
  });

  test('a batch of 4 variations is staged on the canvas; step, compare, discard, accept', async () => {
    await page.fill('[data-testid=batch]', '4');
    await page.click('[data-testid=generate]');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=result-image]').length === 4,
      undefined,
      { timeout: 180_000 },
    );
    const sources = await page
      .locator('[data-testid=result-image]')
      .evaluateAll((images) => images.map((image) => (image as HTMLImageElement).src));
    expect(new Set(sources).size).toBe(4);
    const layersBefore = await page.locator('[data-testid^="layer-gen-"]').count();
    // The first result shows on the canvas at the box; Next steps, Compare hides it while held.
    const staged = () => page.getAttribute('[data-testid=staged-image]', 'src');
    expect(await staged()).toBe(new URL(sources[0]!).pathname);
    await page.click('[data-testid=staging-next]');
    expect(await page.textContent('[data-testid=staging-position]')).toBe('Result 2/4');
    expect(await staged()).toBe(new URL(sources[1]!).pathname);
    await page.hover('[data-testid=staging-compare]');
    await page.mouse.down();
    expect(await page.locator('[data-testid=staged-image]').count()).toBe(0);
    await page.mouse.up();
    expect(await page.locator('[data-testid=staged-image]').count()).toBe(1);
    await page.click('[data-testid=staging-discard]');
    expect(await page.textContent('[data-testid=staging-position]')).toBe('Result 2/3');
    expect(await staged()).toBe(new URL(sources[2]!).pathname);
    // Below 1600 px a drawer floats over the canvas's right side: at every width, Accept and
    // Discard stay in reach (not under the drawer).
    await page.click('[data-testid=open-queue]');
    const covered: string[] = [];
    for (let width = 1024; width < 1600; width += 32) {
      await page.setViewportSize({ width, height: 800 });
      for (const id of ['staging-accept', 'staging-discard']) {
        const onTop = await page.locator(`[data-testid=${id}]`).evaluate((button) => {
          const box = button.getBoundingClientRect();
          const top = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
          return top !== null && button.contains(top);
        });
        if (!onTop) covered.push(`${id} at ${width} px`);
      }
    }
    expect(covered).toEqual([]);
    await page.click('[data-testid=staging-accept]');
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.waitForFunction(
      (count) => document.querySelectorAll('[data-testid^="layer-gen-"]').length === count + 1,
      layersBefore,
    );
    expect(await page.locator('[data-testid=staging-bar]').count()).toBe(0);
    const script = JSON.stringify(await pageScript(page));
    expect(script).toContain(
      `"seed":${JSON.parse(await page.inputValue('[data-testid=opt-seed]')) + 2}`,
    );
    await page.fill('[data-testid=batch]', '1');
  });

  test('outpaint grows the canvas (recorded canvas.resize) with the result as a layer; undo reverts', async () => {
    const size = () =>
      page
        .locator('[data-testid=canvas]')
        .evaluate((canvas) => [
          (canvas as HTMLCanvasElement).width,
          (canvas as HTMLCanvasElement).height,
        ]);
    const [width, height] = await size();
    await page.selectOption('[data-testid=mode]', 'outpaint');
    await page.selectOption('[data-testid=outpaint-direction]', 'right');
    await page.click('[data-testid=generate]');
    await page.waitForFunction(
      (expected) =>
        (document.querySelector('[data-testid=canvas]') as HTMLCanvasElement).width === expected,
      width! + 128,
      { timeout: 120_000 },
    );
    expect(await size()).toEqual([width! + 128, height!]);
    const recorded = canvasOperations(await pageScript(page)).map((operation) => operation[0]);
    expect(recorded.slice(-3)).toEqual([
      'canvas.resize',
      'canvas.layer.create',
      'canvas.layer.load_image',
    ]);
    await page.click('[data-testid=undo]');
    expect(await size()).toEqual([width!, height!]);
  });

  test('upscale from Layer Mode with a chosen model and factor replaces the canvas', async () => {
    const [width] = await page
      .locator('[data-testid=canvas]')
      .evaluate((canvas) => [(canvas as HTMLCanvasElement).width]);
    await page.selectOption('[data-testid=mode]', 'upscale');
    const factors = await page
      .locator('[data-testid=upscale-factor] option')
      .evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
    expect(factors.length).toBeGreaterThan(0);
    const factor = factors.includes('2') ? 2 : Number(factors[0]);
    await page.selectOption('[data-testid=upscale-factor]', String(factor));
    await page.click('[data-testid=generate]');
    await page.waitForFunction(
      (expected) =>
        (document.querySelector('[data-testid=canvas]') as HTMLCanvasElement).width === expected,
      width! * factor,
      { timeout: 120_000 },
    );
    const upscale = JSON.stringify(await pageScript(page));
    expect(upscale).toContain(`"factor":${factor}`);
    await page.click('[data-testid=undo]');
    await page.selectOption('[data-testid=mode]', 'txt2img');
  });

  test('the exported script run headless on the server gives the same composite as the browser', async () => {
    const script = await pageScript(page);
    const browserPixels = await page.evaluate(async () => {
      const canvas = document.querySelector('[data-testid=canvas]') as HTMLCanvasElement;
      return { width: canvas.width, height: canvas.height };
    });
    const composite = await page.evaluate(async (toRun) => {
      const viwo = (
        window as unknown as {
          __viwo: {
            workbench: { execute(script: unknown): Promise<{ result: { $image: string } }> };
          };
        }
      ).__viwo;
      const outcome = await viwo.workbench.execute([
        'std.seq',
        ...(toRun as unknown[]).slice(1),
        ['canvas.composite'],
      ]);
      return outcome.result;
    }, script);
    expect(composite).toMatchObject(browserPixels);
    // The browser renders with the same rasteriser: compare its composite with the server's PNG.
    const difference = await page.evaluate(
      async (hash) => {
        const response = await fetch(`/images/${hash}.png`);
        const bitmap = await createImageBitmap(await response.blob());
        const canvas = document.createElement('canvas');
        canvas.width = bitmap.width;
        canvas.height = bitmap.height;
        const context = canvas.getContext('2d')!;
        context.drawImage(bitmap, 0, 0);
        const server = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
        const viwo = (window as unknown as { __viwoComposite?: () => Uint8ClampedArray })
          .__viwoComposite;
        if (!viwo) return -1;
        const local = viwo();
        let worst = 0;
        for (let index = 0; index < local.length; index++)
          worst = Math.max(worst, Math.abs(local[index]! - server[index]!));
        return worst;
      },
      (composite as { $image: string }).$image,
    );
    expect(difference).toBeLessThanOrEqual(1);
  });

  test('a control layer is filled by the server-side preprocessor and recorded', async () => {
    await page.click('[data-testid=add-control]');
    const controlRow = page.locator('[data-layer-type=control]').first();
    const id = ((await controlRow.getAttribute('data-testid')) ?? '').replace(/^layer-/, '');
    await page.click(`[data-testid=preprocess-${id}]`);
    await page.waitForFunction(
      (layerId) =>
        JSON.stringify(
          (
            window as unknown as { __viwo: { workbench: { script(): unknown } } }
          ).__viwo.workbench.script(),
        ).includes(
          `"canvas.layer.load_image","${layerId}",["std.call_method",["get_capability","controlnet.generate"],"preprocess"`,
        ),
      id,
      { timeout: 60_000 },
    );
  });

  test('Blocks Mode shows the same script', async () => {
    await page.click('[data-testid=mode-blocks]');
    await page.waitForSelector('[data-testid=blockly-host] .injectionDiv', {
      state: 'attached',
      timeout: 30_000,
    });
    await page.waitForTimeout(500);
    if (process.env.VIWO_SCREENSHOTS)
      await page.screenshot({ path: 'docs/screenshots/blocks-mode.png' });
    await page.click('[data-testid=mode-layer]');
    await page.waitForSelector('[data-testid=canvas]');
  });

  test('kill and restart the server: the client says it reconnected', async () => {
    await server.kill(true);
    await page.waitForSelector('[data-testid=connection-state]:has-text("Reconnecting")', {
      timeout: 30_000,
    });
    await server.restart();
    await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")', {
      timeout: 60_000,
    });
    await page.waitForSelector('[data-testid=toast]:has-text("Reconnected")', { timeout: 10_000 });
  });

  test('settings are defaults shared with the generate panel and survive a reload', async () => {
    await page.click('[data-testid=open-settings]');
    await page.fill('[data-testid=setting-steps]', '3');
    await page.press('[data-testid=setting-steps]', 'Tab');
    expect(await page.inputValue('[data-testid=opt-steps]')).toBe('3');
    await page.reload();
    await page.waitForSelector('[data-testid=canvas]');
    await page.click('[data-testid=open-settings]');
    expect(await page.inputValue('[data-testid=setting-steps]')).toBe('3');
    expect(await page.inputValue('[data-testid=opt-steps]')).toBe('3');
    await page.click('[data-testid=settings-reset]');
    expect(await page.inputValue('[data-testid=setting-steps]')).toBe('');
  });
});
