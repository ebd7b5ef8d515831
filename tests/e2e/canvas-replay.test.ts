/**
 * Issue 14 defects 1–3 along a user's path: a generated layer survives reloads and mode switches
 * without running its generation again; a workflow imported from a PNG neither freezes the tab nor
 * runs before the user confirms it — in that tab, after a reload, or in another tab.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  type AppServer,
  browserMissing,
  dragOnCanvas,
  launchBrowser,
  startAppServer,
} from './support/app-server.ts';

let server: AppServer;
let browser: Browser;
let context: BrowserContext;
let downloads: string;

/** Jobs the server has run so far (every execute_script is one). */
const jobCount = (page: Page) =>
  page.evaluate(async () => {
    const viwo = (window as unknown as { __viwo: { rpc: { call(m: string): Promise<unknown> } } })
      .__viwo;
    return ((await viwo.rpc.call('job.list')) as unknown[]).length;
  });

async function open(url: string, within: BrowserContext = context): Promise<Page> {
  const page = await within.newPage();
  await page.goto(url);
  await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")');
  await page.waitForSelector('[data-testid=generate]');
  return page;
}

/** The generated layer's pixels are on screen: its thumbnail is not blank. */
const generatedLayerShown = (page: Page) =>
  page.waitForFunction(
    () => {
      const viwo = (window as unknown as { __viwoComposite?: () => Uint8ClampedArray })
        .__viwoComposite;
      if (!viwo) return false;
      const pixels = viwo();
      // The canvas starts white; a generated image has non-white pixels inside the box.
      for (let index = 0; index < pixels.length; index += 4)
        if (pixels[index] !== 255 || pixels[index + 1] !== 255 || pixels[index + 2] !== 255)
          return true;
      return false;
    },
    undefined,
    { timeout: 60_000 },
  );

describe.skipIf(Boolean(browserMissing))('generated layers and imported workflows', () => {
  let pngPath = '';
  beforeAll(async () => {
    server = await startAppServer();
    browser = await launchBrowser();
    context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      acceptDownloads: true,
    });
    downloads = mkdtempSync(join(tmpdir(), 'viwo-replay-'));
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    if (downloads) rmSync(downloads, { recursive: true, force: true });
  });

  test('reload and Blocks → Layers show a generated layer without running it again', async () => {
    const page = await open(server.url);
    await page.keyboard.press('v');
    await dragOnCanvas(page, [
      [64, 64],
      [320, 320],
    ]);
    await page.selectOption('[data-testid=mode]', 'txt2img');
    await page.fill('[data-testid=prompt]', 'a red fox');
    await page.click('[data-testid=generate]');
    await page.waitForSelector('[data-testid^="layer-gen-"]', { timeout: 120_000 });
    await generatedLayerShown(page);
    const jobs = await jobCount(page);

    await page.reload();
    await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")');
    await page.waitForSelector('[data-testid^="layer-gen-"]');
    await generatedLayerShown(page);
    expect(await jobCount(page)).toBe(jobs);

    await page.click('[data-testid=mode-blocks]');
    await page.waitForSelector('[data-testid=blockly-host]', { state: 'attached' });
    await page.click('[data-testid=mode-layer]');
    await generatedLayerShown(page);
    expect(await jobCount(page)).toBe(jobs);

    const download = page.waitForEvent('download');
    await page.click('[data-testid=export-png]');
    pngPath = join(downloads, 'canvas.png');
    await (await download).saveAs(pngPath);
    await page.close();
  });

  test('importing that PNG elsewhere asks first, stays responsive, and stays untrusted', async () => {
    // Another browser profile: nothing of the first canvas is in its storage.
    const elsewhere = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await open(server.url, elsewhere);
    const jobs = await jobCount(page);
    await page.click('[data-testid=open-templates]');
    await page.setInputFiles('[data-testid=template-import-file]', pngPath);
    // The tab stays responsive (a frozen renderer never shows the dialog) and asks before running.
    await page.waitForSelector('[role=dialog]', { timeout: 15_000 });
    expect(await page.evaluate(() => 1 + 1)).toBe(2);
    expect(await jobCount(page)).toBe(jobs);

    // Another tab and a reload of this one: the imported script still waits for a yes.
    const other = await open(server.url, elsewhere);
    await other.waitForSelector('[role=dialog]', { timeout: 15_000 });
    expect(await jobCount(other)).toBe(jobs);
    await other.close();
    await page.reload();
    await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")');
    await page.waitForSelector('[role=dialog]', { timeout: 15_000 });
    expect(await jobCount(page)).toBe(jobs);

    // Confirmed: the layer is shown, and the script is trusted from now on.
    await page.click('[data-testid=trust-confirm]');
    await generatedLayerShown(page);
    await page.reload();
    await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")');
    await generatedLayerShown(page);
    expect(await page.locator('[role=dialog]').count()).toBe(0);
    await elsewhere.close();
  });
});
