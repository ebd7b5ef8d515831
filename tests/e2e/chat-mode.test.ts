/**
 * Chat Mode in real Chromium against a real `viwo serve` (tiny test models, rules interpreter):
 * generate, refine, Shift+Enter, compare, branch with a user-set strength, the tree, live
 * progress, hand-offs to Layers and Blocks, and resuming after a reload.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Browser, Page } from 'playwright-core';
import {
  type AppServer,
  browserMissing,
  launchBrowser,
  pageScript,
  startAppServer,
} from './support/app-server.ts';

if (browserMissing) console.warn(`skipping Chat Mode browser tests: ${browserMissing}`);

let server: AppServer;
let browser: Browser;
let page: Page;

const turns = () => page.locator('[data-testid=chat-thread] [data-testid=chat-turn]');

async function openChat(): Promise<void> {
  await page.goto(server.url);
  await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")');
  await page.getByRole('button', { name: 'Chat', exact: true }).click();
  await page.waitForSelector('[data-testid=chat-mode]');
}

/** Types a message and presses Enter; resolves when the thread has `count` turns. */
async function say(message: string, count: number): Promise<void> {
  await page.fill('[data-testid=chat-input]', message);
  await page.press('[data-testid=chat-input]', 'Enter');
  await page.waitForFunction(
    (expected) =>
      document.querySelectorAll('[data-testid=chat-thread] [data-testid=chat-turn]').length ===
        expected && !document.querySelector('[data-testid=chat-progress]'),
    count,
    { timeout: 120_000 },
  );
}

beforeAll(async () => {
  if (browserMissing) return;
  server = await startAppServer();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  // Small, fast pictures from the tiny test models: the user's saved defaults.
  await page.addInitScript(() => {
    localStorage.setItem(
      'viwo.imagegen.settings',
      JSON.stringify({ width: 64, height: 64, steps: 4 }),
    );
    // Record every progress label (and any preview) Chat Mode shows (it can come and go within one frame).
    const seen: string[] = [];
    (window as unknown as { __chatProgress: string[] }).__chatProgress = seen;
    new MutationObserver(() => {
      const progress = document.querySelector('[data-testid=chat-progress]');
      if (progress?.textContent) seen.push(progress.textContent);
      if (progress?.querySelector('[data-testid=chat-preview]')) seen.push('preview shown');
    }).observe(document, { subtree: true, childList: true, characterData: true });
  }, 120_000);
  await openChat();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe.skipIf(browserMissing !== undefined)('Chat Mode', () => {
  test('a first message generates; a second refines with the interpreted prompt', async () => {
    await expect(page.locator('[data-testid=mode-chat]').textContent()).resolves.toBe('Chat');
    await say('a blue ball on the grass', 1);
    await page.locator('[data-testid=chat-current-image]').waitFor();
    await say('make the ball red', 2);
    const last = turns().last();
    await expect(last.locator('[data-testid=chat-explanation]').textContent()).resolves.toBe(
      'Made the ball red (was blue).',
    );
    await expect(last.locator('[data-testid=chat-prompt]').textContent()).resolves.toBe(
      'a red ball on the grass',
    );
    const labels = await page.evaluate(
      () => (window as unknown as { __chatProgress: string[] }).__chatProgress,
    );
    expect(labels.some((label) => /denoising · \d+%/.test(label))).toBe(true);
    expect(labels).toContain('preview shown');
    const current = await page.getAttribute('[data-testid=chat-current-image]', 'src');
    const thumb = await last.locator('img').getAttribute('src');
    expect(current).toBe(thumb);
  }, 120_000);

  test('Shift+Enter starts a new line instead of sending', async () => {
    await page.fill('[data-testid=chat-input]', 'first line');
    await page.press('[data-testid=chat-input]', 'Shift+Enter');
    await page.type('[data-testid=chat-input]', 'second line');
    expect(await page.inputValue('[data-testid=chat-input]')).toBe('first line\nsecond line');
    expect(await turns().count()).toBe(2);
    await page.fill('[data-testid=chat-input]', '');
  }, 120_000);

  test('compare shows the parent beside the current picture', async () => {
    await page.check('[data-testid=chat-compare]');
    const before = await page.getAttribute('[data-testid=chat-before] img', 'src');
    expect(before).toBe(await turns().first().locator('img').getAttribute('src'));
    // VIWO_SCREENSHOT=path keeps a picture of Chat Mode (the README's screenshot comes from here).
    const shot = await page.screenshot(
      process.env.VIWO_SCREENSHOT ? { path: process.env.VIWO_SCREENSHOT } : {},
    );
    expect(shot.length).toBeGreaterThan(10_000);
    await page.uncheck('[data-testid=chat-compare]');
  }, 120_000);

  test('branch from the first turn with a user-set strength; the tree shows both branches', async () => {
    await turns().first().locator('[data-testid=chat-branch]').click();
    await expect(page.textContent('[data-testid=chat-hint]')).resolves.toContain(
      'Branching from #1',
    );
    await page.check('[data-testid=chat-strength-override]');
    await page.locator('[data-testid=chat-strength]').fill('0.3');
    await say('make it a watercolor', 2);
    const last = turns().last();
    await expect(last.locator('[data-testid=chat-prompt]').textContent()).resolves.toBe(
      'a blue ball on the grass, watercolor painting',
    );
    await expect(last.locator('.chat-meta').textContent()).resolves.toContain('strength 0.3');
    await page.click('[data-testid=chat-tree-tab]');
    const depths = await page
      .locator('[data-testid=chat-tree-row]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-depth')));
    expect(depths).toEqual(['0', '1', '1']);
    await page.getByRole('tab', { name: 'Thread' }).click();
  }, 120_000);

  test('open in Layers adds the picture as a layer; open script in Blocks loads the export', async () => {
    const image = (await page.getAttribute('[data-testid=chat-current-image]', 'src'))!;
    const hash = /([0-9a-f]{64})/.exec(image)![1]!;
    const before = await pageScript(page);
    await turns().last().locator('[data-testid=chat-open-layers]').click();
    await page.waitForSelector('[data-testid=mode-layer].selected');
    expect(JSON.stringify(await pageScript(page))).toContain(hash);
    // Adding the picture is one undo step, like every other change of the canvas.
    await page.click('[data-testid=undo]');
    expect(await pageScript(page)).toEqual(before);
    await page.click('[data-testid=redo]');
    expect(JSON.stringify(await pageScript(page))).toContain(hash);
    await page.click('[data-testid=mode-chat]');
    await page.locator('[data-testid=chat-conversation]').first().locator('.chat-open').click();
    await turns().last().waitFor();
    await turns().last().locator('[data-testid=chat-open-blocks]').click();
    // The canvas holds the layer just added: replacing it asks first, and is undoable.
    await page.click('[data-testid=replace-confirm]');
    await page.waitForSelector('[data-testid=mode-blocks].selected');
    const script = (await pageScript(page)) as unknown[];
    expect(script[0]).toBe('std.seq');
    expect(JSON.stringify(script)).toContain('imageToImage');
  }, 120_000);

  test('after a reload the conversation is listed, searchable and resumes', async () => {
    await openChat();
    const items = page.locator('[data-testid=chat-conversation]');
    await items.first().waitFor();
    expect(await items.count()).toBe(1);
    await page.fill('[data-testid=chat-search]', 'no such words');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=chat-conversation]').length === 0,
    );
    await page.fill('[data-testid=chat-search]', 'red ball');
    await items.first().waitFor();
    await items.first().locator('.chat-open').click();
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-testid=chat-thread] [data-testid=chat-turn]').length === 2,
    );
    await expect(page.textContent('.chat-list-title')).resolves.toBe('a blue ball on the grass');
  }, 120_000);

  test('a modification the rules do not understand is shown as an error toast', async () => {
    await page.fill('[data-testid=chat-input]', 'sing a song');
    await page.press('[data-testid=chat-input]', 'Enter');
    const toast = page.locator('[data-testid=toast]', { hasText: 'did not understand' });
    await toast.waitFor();
    // The text stays in the box so nothing typed is lost.
    expect(await page.inputValue('[data-testid=chat-input]')).toBe('sing a song');
    expect(await turns().count()).toBe(2);
  }, 120_000);
});
