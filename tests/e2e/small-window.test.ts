/** Issue 14 defect 10: the app works from 1024×700 — Generate in view, drawers leave room. */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Browser, Page } from 'playwright-core';
import {
  type AppServer,
  browserMissing,
  launchBrowser,
  startAppServer,
} from './support/app-server.ts';

let server: AppServer;
let browser: Browser;
let page: Page;

const inView = async (selector: string) => {
  const box = await page.locator(selector).boundingBox();
  return box !== null && box.y >= 0 && box.y + box.height <= 700 && box.x + box.width <= 1024;
};

describe.skipIf(Boolean(browserMissing))('a 1024×700 window', () => {
  beforeAll(async () => {
    server = await startAppServer();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1024, height: 700 } });
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")');
    await page.waitForSelector('[data-testid=generate]');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('Generate is in view without scrolling, and stays clickable with a drawer open', async () => {
    expect(await inView('[data-testid=generate]')).toBe(true);
    await page.click('[data-testid=open-gallery]');
    await page.waitForSelector('[data-testid=drawer]');
    expect(await inView('[data-testid=generate]')).toBe(true);
    const canvas = await page.locator('[data-testid=canvas-overlay]').boundingBox();
    expect(canvas!.width).toBeGreaterThanOrEqual(300);
    if (process.env.VIWO_SCREENSHOTS)
      await page.screenshot({ path: 'docs/screenshots/layer-mode-1024.png' });
    await page.keyboard.press('Escape');
  });

  test('Blocks with the text view and Settings open keeps a usable workspace', async () => {
    await page.click('[data-testid=mode-blocks]');
    await page.waitForSelector('[data-testid=blockly-host] .blocklySvg', { state: 'attached' });
    const toggle = page.locator('[data-testid=blocks-text-toggle]');
    if (await toggle.count()) await toggle.click();
    await page.click('[data-testid=open-settings]');
    await page.waitForSelector('[data-testid=drawer]');
    const host = await page.locator('[data-testid=blockly-host]').boundingBox();
    const drawer = await page.locator('[data-testid=drawer]').boundingBox();
    // The part of the workspace not covered by the drawer.
    const visible = Math.min(host!.x + host!.width, drawer!.x) - host!.x;
    expect(visible).toBeGreaterThanOrEqual(400);
    await page.click('[data-testid=mode-layer]');
  });
});
