/**
 * The app talks to its own server only (issue 14 defect 9), loads Layer Mode without Blockly, and
 * serves its JS/CSS compressed. Also measures page load → "Connected" and the first switch to
 * Blocks (printed; not asserted).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Browser, Page, Response } from 'playwright-core';
import {
  type AppServer,
  browserMissing,
  launchBrowser,
  startAppServer,
} from './support/app-server.ts';

let server: AppServer;
let browser: Browser;
let page: Page;
const offOrigin: string[] = [];
const responses: Response[] = [];
let blocksStarted = 0;
const timings: Record<string, number> = {};

describe.skipIf(Boolean(browserMissing))('own origin only, split and compressed client', () => {
  beforeAll(async () => {
    server = await startAppServer();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(`${server.url}/`) && !/^(data|blob):/.test(url)) offOrigin.push(url);
    });
    page.on('response', (response) => void responses.push(response));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('Layer Mode loads without Blockly, under 400 KB of JS, compressed', async () => {
    const started = performance.now();
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")');
    timings.connectedMs = performance.now() - started;
    await page.waitForSelector('[data-testid=canvas]');
    const scripts = responses.filter((response) => response.request().resourceType() === 'script');
    expect(scripts.some((response) => response.url().includes('blocks-mode'))).toBe(false);
    let initialBytes = 0;
    for (const response of scripts) initialBytes += (await response.body()).length;
    timings.initialJsBytes = initialBytes;
    expect(initialBytes).toBeLessThanOrEqual(400_000);
    for (const response of responses) {
      const type = response.request().resourceType();
      if (type !== 'script' && type !== 'stylesheet') continue;
      if ((await response.body()).length <= 1024) continue;
      expect({ url: response.url(), encoding: response.headers()['content-encoding'] }).toEqual({
        url: response.url(),
        encoding: expect.stringMatching(/^(br|gzip)$/),
      });
    }
  });

  test('Blocks Mode loads Blockly on first open, its media from this server', async () => {
    blocksStarted = responses.length;
    const started = performance.now();
    await page.click('[data-testid=mode-blocks]');
    await page.waitForSelector('[data-testid=blockly-host] .blocklySvg', { state: 'attached' });
    await page.waitForSelector('.blocklyToolbox, .blocklyToolboxDiv', { state: 'attached' });
    timings.firstBlocksMs = performance.now() - started;
    const later = responses.slice(blocksStarted);
    expect(later.some((response) => response.url().includes('blocks-mode'))).toBe(true);
    // Open the drawers too: every part of the app stays on this origin.
    for (const drawer of ['open-templates', 'open-gallery', 'open-settings']) {
      await page.click(`[data-testid=${drawer}]`);
      await page.waitForSelector('[data-testid=drawer]');
    }
    await page.click('[data-testid=mode-layer]');
    await page.waitForSelector('[data-testid=canvas]');
    for (const response of responses.filter((r) => r.url().includes('/blockly-media/')))
      expect(response.status()).toBe(200);
    expect(offOrigin).toEqual([]);
    console.log(`client timings: ${JSON.stringify(timings)}`);
  });
});
