import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Browser, Page } from 'playwright-core';
import { type HubStandIn, hubRepositoryFiles, startHubStandIn } from '../support/hub-stand-in.ts';
import {
  type AppServer,
  browserMissing,
  launchBrowser,
  openApp,
  startAppServer,
} from './support/app-server.ts';

/** The stand-in hub's files (its weights seed is 11). */
const HUB_SEED = 11;
const files = hubRepositoryFiles(HUB_SEED);
const largest = Object.entries(files).sort((a, b) => b[1].length - a[1].length)[0]![0];

let releaseStall: () => void = () => {};
let stallOpen = false;
const stall = new Promise<void>((resolve) => {
  releaseStall = () => {
    stallOpen = true;
    resolve();
  };
});
let stalled: () => void = () => {};
const reachedStall = new Promise<void>((resolve) => {
  stalled = resolve;
});

/**
 * The stand-in hub (see tests/support/hub-stand-in.ts). Until released, the largest file sends
 * half its bytes and then hangs, so the pull is mid-download when the test cancels it.
 */
function startHub(): HubStandIn {
  return startHubStandIn({
    seed: HUB_SEED,
    respond(path, content) {
      if (path !== largest || stallOpen) return undefined;
      const half = content.subarray(0, content.length >> 1);
      return new Response(
        new ReadableStream({
          async start(controller) {
            controller.enqueue(half);
            stalled();
            await stall;
            try {
              controller.close();
            } catch {}
          },
        }),
        { headers: { 'content-length': String(content.length) } },
      );
    },
  });
}

let hub: HubStandIn;
let server: AppServer;
let browser: Browser;
let page: Page;
const previousEndpoint = process.env.HF_ENDPOINT;

const diskUsage = async () => (await page.textContent('[data-testid=models-disk-usage]')) ?? '';

describe.skipIf(Boolean(browserMissing))('the Models drawer (Chromium)', () => {
  beforeAll(async () => {
    hub = startHub();
    // The server child inherits the environment: its hub is the stand-in.
    process.env.HF_ENDPOINT = hub.url;
    server = await startAppServer();
    browser = await launchBrowser();
    page = await openApp(browser, server.url);
  }, 120_000);
  afterAll(async () => {
    releaseStall();
    await browser?.close();
    await server?.stop();
    hub?.stop();
    if (previousEndpoint === undefined) delete process.env.HF_ENDPOINT;
    else process.env.HF_ENDPOINT = previousEndpoint;
  });

  test('lists the installed test models with family, size, kind, disk use and the default', async () => {
    await page.click('[data-testid=open-models]');
    await page.waitForSelector('[data-testid=model-row]');
    const rows = page.locator('[data-testid=model-row]');
    expect(await rows.count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=model-row][data-kind=real]').count()).toBe(0);
    expect(await page.locator('[data-testid=model-default]').count()).toBe(1);
    const text = (await rows.first().textContent()) ?? '';
    expect(text).toMatch(/\d+×\d+/);
    expect(text).toContain('test');
    expect(await diskUsage()).toMatch(/^[\d.]+ (KB|MB|GB) on disk$/);
    // At 1024×700 every row's Delete is in view inside the drawer, with no sideways scrolling.
    await page.setViewportSize({ width: 1024, height: 700 });
    const drawer = await page.locator('[data-testid=models-table]').evaluate((table) => {
      const panel = table.parentElement!.getBoundingClientRect();
      const button = table.querySelector('[data-testid=model-delete]')!.getBoundingClientRect();
      return { panelRight: panel.right, buttonRight: button.right, wide: table.scrollWidth };
    });
    expect(drawer.buttonRight).toBeLessThanOrEqual(drawer.panelRight);
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  test('a pull shows live progress and stops on Cancel; pulling again installs the real model', async () => {
    const before = await diskUsage();
    await page.fill('[data-testid=models-repo]', 'acme/tiny-real');
    await page.click('[data-testid=models-pull]');
    await reachedStall;
    await page.waitForSelector('[data-testid=models-pull-cancel]:not([disabled])');
    expect(await page.textContent('[data-testid=models-pull-label]')).toMatch(/\(\d+\/\d+\)$/);
    if (process.env.VIWO_SCREENSHOTS)
      await page.screenshot({ path: 'docs/screenshots/models-drawer-pulling.png' });
    await page.click('[data-testid=models-pull-cancel]');
    await page.waitForSelector('[data-testid=models-message]:has-text("stopped")');
    expect(await page.locator('[data-testid=model-row][data-kind=real]').count()).toBe(0);

    releaseStall();
    await page.fill('[data-testid=models-repo]', 'acme/tiny-real');
    await page.click('[data-testid=models-pull]');
    await page.waitForSelector('[data-testid=models-message]:has-text("installed")', {
      timeout: 60_000,
    });
    const real = page.locator('[data-testid=model-row][data-kind=real]');
    expect(await real.count()).toBe(1);
    // Its source is the hub it came from, and a pulled real model becomes the default.
    expect(await real.locator('.model-source').getAttribute('title')).toContain('acme/tiny-real');
    expect(await real.locator('[data-testid=model-default]').count()).toBe(1);
    expect(await diskUsage()).not.toBe(before);
    if (process.env.VIWO_SCREENSHOTS)
      await page.screenshot({ path: 'docs/screenshots/models-drawer.png' });
  }, 120_000);

  test('delete asks for confirmation, and only a confirmed delete removes the model', async () => {
    const real = page.locator('[data-testid=model-row][data-kind=real]');
    page.once('dialog', (dialog) => void dialog.dismiss());
    await real.locator('[data-testid=model-delete]').click();
    expect(await real.count()).toBe(1);
    page.once('dialog', (dialog) => void dialog.accept());
    await real.locator('[data-testid=model-delete]').click();
    await page.waitForSelector('[data-testid=models-message]:has-text("deleted")');
    expect(await real.count()).toBe(0);
  });
});
