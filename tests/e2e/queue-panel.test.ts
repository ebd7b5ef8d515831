/**
 * The queue along a user's path: Generate stays enabled and each click queues a job; the panel
 * pauses, reorders by drag, cancels, resumes, retries and clears; batches show "k/n"; progress is
 * in the tab title; a job finishing while the tab is hidden raises a desktop notification; queued
 * jobs survive a server restart.
 */
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

const summaries = () => page.locator('[data-testid=queue-item-summary]').allTextContents();

/** Queues a long batch job from the page (not awaited). */
const queueLongBatch = () =>
  page.evaluate(() => {
    const viwo = (
      window as unknown as {
        __viwo: { queue: { run(script: unknown, meta: unknown): Promise<unknown> } };
      }
    ).__viwo;
    void viwo.queue
      .run(
        [
          'std.call_method',
          ['get_capability', 'diffusers.generate'],
          'textToImage',
          'slow batch',
          { steps: 150, width: 1024, height: 1024, batch_size: 8, seed: 3 },
        ],
        { mode: 'txt2img', prompt: 'slow batch', batch: 8 },
      )
      .catch(() => undefined);
  });

describe.skipIf(Boolean(browserMissing))('the queue panel', () => {
  beforeAll(async () => {
    server = await startAppServer();
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    // The desktop notification is an outside service: record what the page asks the OS to show,
    // and let the test say when the tab is hidden.
    await context.addInitScript(() => {
      const shown: string[] = [];
      class RecordedNotification {
        static permission = 'granted';
        static requestPermission = async () => 'granted';
        constructor(title: string, options?: { body?: string }) {
          shown.push(`${title}: ${options?.body ?? ''}`);
        }
      }
      Object.assign(window, { Notification: RecordedNotification, __notifications: shown });
      let hidden = false;
      Object.defineProperty(document, 'hidden', { get: () => hidden });
      Object.assign(window, { __setHidden: (value: boolean) => (hidden = value) });
    });
    page = await context.newPage();
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")');
    await page.waitForSelector('[data-testid=generate]');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('queue while paused, reorder by drag, cancel, resume, retry, clear', async () => {
    await page.click('[data-testid=open-queue]');
    await page.click('[data-testid=queue-pause]');
    await page.selectOption('[data-testid=mode]', 'txt2img');
    for (const prompt of ['first fox', 'second fox']) {
      await page.fill('[data-testid=prompt]', prompt);
      expect(await page.isEnabled('[data-testid=generate]')).toBe(true);
      await page.click('[data-testid=generate]');
      await page.waitForSelector(`[data-testid=queue-item-summary]:has-text("${prompt}")`);
    }
    expect((await summaries()).map((text) => text.includes('first'))).toEqual([true, false]);
    await page
      .locator('[data-testid=queue-item]')
      .nth(1)
      .dragTo(page.locator('[data-testid=queue-item]').nth(0));
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=queue-item-summary]')?.textContent?.includes('second'),
    );
    // Cancel "first" (now second in line), run the rest.
    await page
      .locator('[data-testid=queue-item]')
      .nth(1)
      .locator('[data-testid=queue-cancel]')
      .click();
    await page.waitForSelector('[data-testid=queue-item][data-status=cancelled]');
    await page.click('[data-testid=queue-resume]');
    await page.waitForSelector('[data-testid=queue-item][data-status=done]', { timeout: 60_000 });
    await page.waitForSelector('[data-testid^="layer-gen-"]');
    await page
      .locator('[data-testid=queue-item][data-status=cancelled] [data-testid=queue-retry]')
      .click();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=queue-item][data-status=done]').length === 2,
      undefined,
      { timeout: 60_000 },
    );
    // The jobs strip hears job.done of queued jobs too: nothing is left looking like it runs.
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=job][data-status=running]').length === 0,
    );
    if (process.env.VIWO_SCREENSHOTS) await page.screenshot({ path: 'docs/screenshots/queue.png' });
    await page.click('[data-testid=queue-clear]');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=queue-item]').length === 0,
    );
  });

  test('a batch shows which image it is on; the tab title shows progress', async () => {
    await queueLongBatch();
    await page.waitForSelector('[data-testid=queue-batch]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid=queue-batch]')).toMatch(/image \d\/8/);
    await page.waitForFunction(() => /^\d+% · viwo imagegen$/.test(document.title));
    // The running job's latent preview is drawn on the canvas at the box.
    await page.waitForSelector('[data-testid=live-preview]', { timeout: 30_000 });
    await page.click('[data-testid=queue-item][data-status=running] [data-testid=queue-cancel]');
    await page.waitForSelector('[data-testid=queue-item][data-status=cancelled]');
    await page.waitForFunction(() => document.title === 'viwo imagegen');
  });

  test('a job finishing while the tab is hidden raises a notification', async () => {
    await page.evaluate(() =>
      (window as unknown as { __setHidden(v: boolean): void }).__setHidden(true),
    );
    await page.fill('[data-testid=prompt]', 'hidden fox');
    await page.click('[data-testid=generate]');
    await page.waitForFunction(
      () => (window as unknown as { __notifications: string[] }).__notifications.length > 0,
      undefined,
      { timeout: 60_000 },
    );
    const shown = await page.evaluate(
      () => (window as unknown as { __notifications: string[] }).__notifications,
    );
    expect(shown[0]).toContain('hidden fox');
    await page.evaluate(() =>
      (window as unknown as { __setHidden(v: boolean): void }).__setHidden(false),
    );
  });

  test('queued jobs survive a server restart', async () => {
    await page.click('[data-testid=queue-clear]');
    await page.click('[data-testid=queue-pause]');
    await page.fill('[data-testid=prompt]', 'after restart');
    await page.click('[data-testid=generate]');
    await page.waitForSelector('[data-testid=queue-item][data-status=queued]');
    await server.kill(true);
    await page.waitForSelector('[data-testid=connection-state]:has-text("Reconnecting")');
    await server.restart();
    await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")');
    await page.waitForSelector('[data-testid=queue-item-summary]:has-text("after restart")');
    await page.click('[data-testid=queue-resume]');
    await page.waitForSelector('[data-testid=queue-item][data-status=done]', { timeout: 60_000 });
  });
});
