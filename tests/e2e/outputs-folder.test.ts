/**
 * Issue 14 (what A1111 users expect): an outputs folder. Settings → Outputs folder along the
 * user's keyboard and mouse path — a refused relative path shows the server's message inline, an
 * absolute one is saved — then Generate leaves the result as a file named by date and seed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
const scratch = mkdtempSync(join(tmpdir(), 'viwo-e2e-outputs-'));
const folder = join(scratch, 'my outputs');

/** PNG files under `root` (recursively), as paths relative to it. */
function pngsUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((path) =>
    /(^|\/)\d{6}-[^/]+\.png$/.test(path),
  );
}

/** Resolves with the PNGs under `root` once there is at least one (woken by file-system events). */
function firstPng(root: string): Promise<string[]> {
  return new Promise((resolve) => {
    const watcher = watch(root, { recursive: true }, () => {
      const found = pngsUnder(root);
      if (found.length > 0) {
        watcher.close();
        resolve(found);
      }
    });
    const already = pngsUnder(root);
    if (already.length > 0) {
      watcher.close();
      resolve(already);
    }
  });
}

describe.skipIf(Boolean(browserMissing))('the outputs folder in Settings', () => {
  beforeAll(async () => {
    server = await startAppServer();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1024, height: 700 } });
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")');
    await page.waitForSelector('[data-testid=generate]');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('a relative path is refused inline; an absolute one is saved and fits a 1024×700 window', async () => {
    await page.click('[data-testid=open-settings]');
    const input = page.locator('[data-testid=outputs-folder-input]');
    await input.click();
    await page.keyboard.type('outputs');
    await page.click('[data-testid=outputs-folder-save]');
    const problem = page.locator('[data-testid=outputs-folder-problem]');
    await problem.waitFor();
    expect(await problem.textContent()).toContain('The folder must be an absolute path');
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    if (process.env.VIWO_SCREENSHOTS) {
      await page.screenshot({ path: 'docs/screenshots/outputs-folder-refused.png' });
    }

    await input.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(folder);
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=outputs-folder-note]:has-text("Saved")');
    expect(await problem.count()).toBe(0);
    expect(existsSync(folder)).toBe(true);
    const status = await page.locator('[data-testid=outputs-folder-status]').textContent();
    expect(status).toContain('also saved there');
    // Both buttons are reachable in the drawer at this size.
    for (const button of ['outputs-folder-save', 'outputs-folder-clear']) {
      const box = await page.locator(`[data-testid=${button}]`).boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(1024);
    }
    await page.locator('[data-testid=outputs-folder]').scrollIntoViewIfNeeded();
    await page.screenshot({
      path: process.env.VIWO_SCREENSHOTS
        ? 'docs/screenshots/outputs-folder-settings.png'
        : join(scratch, 'settings.png'),
    });
    // A reload shows the folder the server holds.
    await page.reload();
    await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")');
    await page.click('[data-testid=open-settings]');
    await page.waitForFunction(
      (expected) =>
        (document.querySelector('[data-testid=outputs-folder-input]') as HTMLInputElement | null)
          ?.value === expected,
      folder,
    );
    await page.keyboard.press('Escape');
  });

  test('Generate leaves the result in <folder>/<date>/<HHMMSS>-<seed>-<hash8>.png', async () => {
    const written = firstPng(folder);
    await page.getByLabel('Prompt', { exact: true }).click();
    await page.keyboard.type('a red kite over the sea');
    await page.click('[data-testid=generate]');
    const [file] = await written;
    expect(file).toMatch(/^\d{4}-\d{2}-\d{2}\/\d{6}-\d+-[0-9a-f]{8}\.png$/);
    const hash8 = /-([0-9a-f]{8})\.png$/.exec(file!)![1]!;
    // The image store is content-addressed: the stored image whose hash starts with hash8.
    const shard = join(server.dataDir, 'images', hash8.slice(0, 2));
    const hash = readdirSync(shard)
      .find((name) => name.startsWith(hash8))!
      .replace(/\.png$/, '');
    const bytes = new Uint8Array(readFileSync(join(folder, file!)));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(hash);
    const served = await fetch(`${server.url}/images/${hash}.png`);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(bytes);
    // The user sees the same generation land on the canvas.
    await page.waitForSelector('[data-testid^="layer-gen-"]', { timeout: 120_000 });
  }, 180_000);
});
