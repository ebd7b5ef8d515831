/**
 * Issue 14 defect 11, the smaller ones: the ControlNet tint does not cover a result placed above
 * it, the Blocks error banner clears once the script changes, Settings refuses out-of-range values
 * with a message and shows what "default" means instead of a blank choice.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Browser, Page } from 'playwright-core';
import {
  type AppServer,
  browserMissing,
  dragOnCanvas,
  launchBrowser,
  openApp,
  startAppServer,
} from './support/app-server.ts';

let server: AppServer;
let browser: Browser;
let page: Page;

const setScript = (script: unknown) =>
  page.evaluate((value) => {
    (
      window as unknown as { __viwo: { workbench: { setScript(s: unknown): void } } }
    ).__viwo.workbench.setScript(value);
  }, script);

describe.skipIf(Boolean(browserMissing))('panel polish', () => {
  beforeAll(async () => {
    server = await startAppServer();
    browser = await launchBrowser();
    page = await openApp(browser, server.url);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a raster layer above a control layer hides its tint', async () => {
    await page.click('[data-testid=add-control]');
    await page.keyboard.press('b');
    const line: [number, number][] = [
      [100, 200],
      [400, 200],
    ];
    await dragOnCanvas(page, line);
    await page.click('[data-testid=add-raster]');
    await dragOnCanvas(page, line);
    const shown = await page.evaluate(() => {
      const canvas = document.querySelector('[data-testid=canvas]') as HTMLCanvasElement;
      return [...canvas.getContext('2d')!.getImageData(250, 200, 1, 1).data];
    });
    expect(shown).toEqual([0x1f, 0x6f, 0xeb, 255]);
  });

  test('the Blocks error banner goes away when the script changes', async () => {
    await page.click('[data-testid=mode-blocks]');
    await page.waitForSelector('[data-testid=blockly-host] .blocklySvg', { state: 'attached' });
    await setScript(['std.call_method', ['get_capability', 'no.such.type'], 'run']);
    await page.click('[data-testid=blocks-run]');
    await page.waitForSelector('[data-testid=blocks-status][role=alert]');
    await setScript(['+', 1, 2]);
    await page.waitForSelector('[data-testid=blocks-status][role=alert]', { state: 'detached' });
    await page.click('[data-testid=mode-layer]');
  });

  test('importing a template twice says so; a template calling unknown opcodes warns', async () => {
    await page.click('[data-testid=open-templates]');
    const file = (name: string, script: unknown) => ({
      name: `${name}.viwo-template.json`,
      mimeType: 'application/json',
      buffer: Buffer.from(
        JSON.stringify({ version: 2, kind: 'viwo-template', name, tags: [], script, exposed: [] }),
      ),
    });
    const message = () => page.textContent('[data-testid=template-message]');
    await page.setInputFiles('[data-testid=template-import-file]', file('twice', ['+', 40, 2]));
    await page.waitForSelector('[data-testid=template-message]:has-text("imported")');
    await page.setInputFiles('[data-testid=template-import-file]', file('twice', ['+', 40, 2]));
    await page.waitForSelector('[data-testid=template-message]:has-text("already")');
    expect(await page.locator('[data-testid=template-item]:has-text("twice")').count()).toBe(1);
    await page.setInputFiles(
      '[data-testid=template-import-file]',
      file('strange', ['std.seq', ['acme.paint', 1]]),
    );
    await page.waitForSelector('[data-testid=template-message]:has-text("strange")');
    expect(await message()).toContain('acme.paint');
    await page.keyboard.press('Escape');
  });

  test('Settings refuses width 99999 with a message and names the defaults', async () => {
    await page.click('[data-testid=open-settings]');
    await page.fill('[data-testid=setting-canvas_width]', '99999');
    await page.press('[data-testid=setting-canvas_width]', 'Tab');
    expect(await page.textContent('[data-testid=setting-error-canvas_width]')).toContain('4096');
    const saved = await page.evaluate(() => localStorage.getItem('viwo.imagegen.settings') ?? '');
    expect(saved).not.toContain('99999');
    const model = page.locator('[data-testid=setting-model_id]');
    const label = await model.evaluate((select) => {
      const element = select as HTMLSelectElement;
      return element.options[element.selectedIndex]?.textContent ?? '';
    });
    expect(label).toStartWith('default');
    await page.keyboard.press('Escape');
  });
});
