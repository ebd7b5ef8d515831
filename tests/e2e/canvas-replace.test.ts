/**
 * Issue 14 defect 5 along a user's path: loading a template, a workflow PNG or a gallery script
 * over a canvas holding work asks first — Cancel (or Escape) changes nothing, Replace is one undo
 * step, Open in new tab leaves this canvas alone and opens the script in a tab of its own, where a
 * script from elsewhere still waits for the user's yes before anything in it runs. New canvas asks
 * the same way. A blank canvas is replaced without asking.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { record } from '@viwo/canvas';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { embedScriptInPng } from '../../apps/imagegen/src/templates/png-script.ts';
import {
  type AppServer,
  browserMissing,
  dragOnCanvas,
  launchBrowser,
  pageScript,
  startAppServer,
} from './support/app-server.ts';

let server: AppServer;
let browser: Browser;

async function connected(page: Page): Promise<Page> {
  await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")');
  await page.waitForSelector('[data-testid=mode-layer]');
  return page;
}
/** A page in a browser profile of its own (a new tab copies the latest canvas of its profile). */
async function open(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 700 } });
  const page = await context.newPage();
  await page.goto(server.url);
  await connected(page);
  await page.waitForSelector('[data-testid=generate]');
  return page;
}
const stroke = (page: Page, y: number) =>
  page.keyboard.press('b').then(() =>
    dragOnCanvas(page, [
      [40, y],
      [200, y + 20],
    ]),
  );
const history = (page: Page) =>
  page.evaluate(() =>
    (
      window as unknown as { __viwo: { canvas: { history(): { undo: number; redo: number } } } }
    ).__viwo.canvas.history(),
  );
const untrusted = (page: Page) =>
  page.evaluate(() =>
    (
      window as unknown as { __viwo: { canvas: { untrusted(): string | null } } }
    ).__viwo.canvas.untrusted(),
  );
/** Jobs the server has run so far (every execute_script is one). */
const jobCount = (page: Page) =>
  page.evaluate(async () => {
    const viwo = (window as unknown as { __viwo: { rpc: { call(m: string): Promise<unknown> } } })
      .__viwo;
    return ((await viwo.rpc.call('job.list')) as unknown[]).length;
  });
/** Waits until the page's canvas script differs from `before`. */
const scriptChangedFrom = (page: Page, before: unknown) =>
  page.waitForFunction(
    (text) =>
      JSON.stringify(
        (
          window as unknown as { __viwo: { workbench: { script(): unknown } } }
        ).__viwo.workbench.script(),
      ) !== text,
    JSON.stringify(before),
  );
const dialog = (page: Page) => page.locator('[role=dialog][aria-modal=true]');
const focusedTestId = (page: Page) =>
  page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);
/** Clicks Load on the first template (the Templates drawer is open). */
const loadFirstTemplate = (page: Page) =>
  page
    .locator('[data-testid=template-item]')
    .first()
    .locator('[data-testid=template-load]')
    .click();

describe.skipIf(Boolean(browserMissing))('replacing a canvas asks first', () => {
  beforeAll(async () => {
    server = await startAppServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('Load over a drawn canvas asks; Cancel and Escape change nothing', async () => {
    const page = await open();
    await stroke(page, 60);
    const mine = await pageScript(page);
    const steps = await history(page);
    await page.click('[data-testid=open-templates]');
    const name = await page
      .locator('[data-testid=template-item]')
      .first()
      .getAttribute('data-template-name');
    await loadFirstTemplate(page);

    await dialog(page).waitFor();
    expect(await dialog(page).getAttribute('aria-labelledby')).toBeTruthy();
    expect(await page.textContent('#viwo-replace-title')).toBe('Replace the current canvas?');
    expect(await page.textContent('[data-testid=replace-label]')).toBe(`template "${name}"`);
    // Focus starts on the choice that changes nothing, and Tab stays inside the dialog.
    expect(await focusedTestId(page)).toBe('replace-cancel');
    if (process.env.VIWO_SCREENSHOTS)
      await page.screenshot({ path: 'docs/screenshots/replace-dialog-1024.png' });
    await page.keyboard.press('Tab');
    expect(await focusedTestId(page)).toBe('replace-new-tab');
    await page.keyboard.press('Tab');
    expect(await focusedTestId(page)).toBe('replace-confirm');
    await page.keyboard.press('Tab');
    expect(await focusedTestId(page)).toBe('replace-cancel');
    await page.keyboard.press('Shift+Tab');
    expect(await focusedTestId(page)).toBe('replace-confirm');
    // A click on the backdrop drops focus to the page; Tab still lands inside the dialog.
    await page.mouse.click(8, 690);
    expect(await dialog(page).count()).toBe(1);
    await page.keyboard.press('Tab');
    expect(await focusedTestId(page)).toBe('replace-cancel');
    // The whole dialog fits a 1024×700 window.
    const box = (await dialog(page).boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(1024);
    expect(box.y + box.height).toBeLessThanOrEqual(700);

    await page.click('[data-testid=replace-cancel]');
    expect(await dialog(page).count()).toBe(0);
    expect(await pageScript(page)).toEqual(mine);
    expect(await history(page)).toEqual(steps);
    // Focus goes back to the Load button.
    expect(await focusedTestId(page)).toBe('template-load');

    await loadFirstTemplate(page);
    await dialog(page).waitFor();
    await page.keyboard.press('Escape');
    expect(await dialog(page).count()).toBe(0);
    // Escape closed the dialog only: the drawer stays open.
    expect(await page.locator('[data-testid=drawer]').count()).toBe(1);
    expect(await pageScript(page)).toEqual(mine);
    expect(await history(page)).toEqual(steps);
    await page.context().close();
  });

  test('Replace replaces as one undo step; Undo brings the old canvas back', async () => {
    const page = await open();
    await stroke(page, 80);
    const mine = await pageScript(page);
    await page.click('[data-testid=open-templates]');
    await loadFirstTemplate(page);
    await page.click('[data-testid=replace-confirm]');
    expect(await dialog(page).count()).toBe(0);
    expect(await pageScript(page)).not.toEqual(mine);
    await page.keyboard.press('Escape');
    await page.click('[data-testid=mode-layer]');
    await page.click('[data-testid=undo]');
    expect(await pageScript(page)).toEqual(mine);
    await page.context().close();
  });

  test('Open in new tab puts the script in a tab of its own; this canvas is unchanged', async () => {
    const page = await open();
    await stroke(page, 100);
    const mine = await pageScript(page);
    const steps = await history(page);
    await page.click('[data-testid=open-templates]');
    await loadFirstTemplate(page);
    const opened = page.context().waitForEvent('page');
    await page.click('[data-testid=replace-new-tab]');
    const tab = await connected(await opened);
    expect(await dialog(page).count()).toBe(0);
    expect(await pageScript(page)).toEqual(mine);
    expect(await history(page)).toEqual(steps);

    // The new tab holds exactly what Replace would have loaded, with a history of its own.
    const incoming = await pageScript(tab);
    expect(incoming).not.toEqual(mine);
    expect(await history(tab)).toEqual({ undo: 0, redo: 0 });
    expect(new URL(tab.url()).searchParams.has('canvas')).toBe(false);
    await loadFirstTemplate(page);
    await page.click('[data-testid=replace-confirm]');
    expect(await pageScript(page)).toEqual(incoming);

    // A reload of the new tab reopens its own canvas; the first tab's is untouched by it.
    await page.keyboard.press('Escape');
    await tab.reload();
    await connected(tab);
    expect(await pageScript(tab)).toEqual(incoming);
    await page.click('[data-testid=undo]');
    expect(await pageScript(page)).toEqual(mine);
    await page.context().close();
  });

  test('a blank canvas is replaced without asking', async () => {
    const page = await open();
    await page.click('[data-testid=new-canvas]');
    const blank = await pageScript(page);
    await page.click('[data-testid=open-templates]');
    await loadFirstTemplate(page);
    await scriptChangedFrom(page, blank);
    expect(await dialog(page).count()).toBe(0);
    await page.context().close();
  });

  test('New canvas over a drawn canvas asks too; Replace is one undo step', async () => {
    const page = await open();
    await stroke(page, 90);
    const mine = await pageScript(page);
    await page.click('[data-testid=new-canvas]');
    await dialog(page).waitFor();
    expect(await page.textContent('[data-testid=replace-label]')).toBe('a new blank canvas');
    await page.click('[data-testid=replace-cancel]');
    await dialog(page).waitFor({ state: 'detached' });
    expect(await pageScript(page)).toEqual(mine);

    await page.click('[data-testid=new-canvas]');
    await page.click('[data-testid=replace-confirm]');
    await scriptChangedFrom(page, mine);
    await page.click('[data-testid=undo]');
    expect(await pageScript(page)).toEqual(mine);
    await page.context().close();
  });

  test('a workflow PNG opened in a new tab still waits for the yes before running', async () => {
    const page = await open();
    await stroke(page, 120);
    const mine = await pageScript(page);
    const jobs = await jobCount(page);
    // A workflow with a generated layer: showing it in Layer Mode would run the generation.
    const workflow = [
      'std.seq',
      record.init(64, 64, '#ffffff'),
      record.createLayer('gen', 'Generated', 'raster'),
      record.loadImage(
        'gen',
        [
          'std.call_method',
          ['get_capability', 'diffusers.generate'],
          'textToImage',
          'a fox from elsewhere',
          { seed: 5, steps: 1, width: 64, height: 64 },
        ],
        0,
        0,
      ),
    ];
    const png = await sharp({
      create: { width: 16, height: 16, channels: 3, background: '#336699' },
    })
      .png()
      .toBuffer();
    await page.click('[data-testid=open-templates]');
    // Import… offers every image kind that carries a workflow, not only PNG.
    const accept = (await page.getAttribute('[data-testid=template-import-file]', 'accept')) ?? '';
    expect(accept.split(',')).toEqual(expect.arrayContaining(['image/jpeg', 'image/webp']));
    await page.setInputFiles('[data-testid=template-import-file]', {
      name: 'elsewhere.png',
      mimeType: 'image/png',
      buffer: Buffer.from(embedScriptInPng(new Uint8Array(png), workflow)),
    });
    await dialog(page).waitFor();
    expect(await page.textContent('[data-testid=replace-label]')).toBe(
      'the workflow in elsewhere.png',
    );
    expect(await page.locator('[data-testid=replace-untrusted]').count()).toBe(1);
    if (process.env.VIWO_SCREENSHOTS)
      await page.screenshot({ path: 'docs/screenshots/replace-dialog-untrusted-1024.png' });
    const opened = page.context().waitForEvent('page');
    await page.click('[data-testid=replace-new-tab]');
    const tab = await connected(await opened);
    await tab.waitForSelector('[data-testid=trust-dialog]');
    expect(await untrusted(tab)).toBe('image elsewhere.png');
    expect(await pageScript(tab)).toEqual(workflow);
    expect(await jobCount(tab)).toBe(jobs);
    // The trust question takes the keyboard like the replace one: Cancel first, Tab inside.
    expect(await focusedTestId(tab)).toBe('trust-cancel');
    await tab.keyboard.press('Tab');
    expect(await focusedTestId(tab)).toBe('trust-confirm');
    await tab.keyboard.press('Tab');
    expect(await focusedTestId(tab)).toBe('trust-cancel');
    await tab.keyboard.press('Escape');
    await tab.waitForSelector('[data-testid=trust-dialog]', { state: 'detached' });
    expect(await untrusted(tab)).toBe('image elsewhere.png');
    expect(await jobCount(tab)).toBe(jobs);
    // The first tab kept its own, trusted canvas.
    expect(await pageScript(page)).toEqual(mine);
    expect(await untrusted(page)).toBeNull();
    await page.context().close();
  });

  test('gallery Open in Blocks asks; after Replace, Undo in Layers brings the canvas back', async () => {
    const page = await open();
    await page.evaluate(async () => {
      const viwo = (
        window as unknown as { __viwo: { workbench: { execute(s: unknown): Promise<unknown> } } }
      ).__viwo;
      await viwo.workbench.execute([
        'std.call_method',
        ['get_capability', 'diffusers.generate'],
        'textToImage',
        'a gallery owl',
        { seed: 3, steps: 1, width: 64, height: 64 },
      ]);
    });
    await stroke(page, 140);
    const mine = await pageScript(page);
    await page.click('[data-testid=open-gallery]');
    await page
      .locator('[data-testid=gallery-entry]:has-text("a gallery owl")')
      .first()
      .locator('[data-testid=gallery-open-blocks]')
      .click();
    await dialog(page).waitFor();
    expect(await page.textContent('[data-testid=replace-label]')).toContain('a gallery owl');
    await page.click('[data-testid=replace-confirm]');
    await page.waitForSelector('[data-testid=blockly-host]', { state: 'attached' });
    expect(JSON.stringify(await pageScript(page))).toContain('a gallery owl');
    await page.keyboard.press('Escape');
    await page.click('[data-testid=mode-layer]');
    await page.click('[data-testid=undo]');
    expect(await pageScript(page)).toEqual(mine);
    await page.context().close();
  });
});
