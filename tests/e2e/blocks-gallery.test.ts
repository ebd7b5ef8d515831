/**
 * The gallery / history panel against the real server in Chromium: a job run from Blocks Mode
 * shows up with its seed; search, favourite, re-run with the same seed (same image), open in
 * Blocks, use as layer and delete work on real history.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from 'playwright-core';
import {
  openServerBackedHarness,
  type ServerBackedHarness,
  serverMissing,
} from '../../apps/imagegen/test/blocks-browser-harness.ts';

if (serverMissing) console.warn(`skipping gallery server tests: ${serverMissing}`);

let backed: ServerBackedHarness | undefined;
let page: Page;

type HarnessWindow = {
  __workbench: {
    capabilities(): unknown[];
    script(): unknown;
    setScript(script: unknown): void;
  };
};

const PROMPT = 'a lighthouse in fog';
// No seed: the server picks one and history records it.
const SCRIPT = [
  'std.call_method',
  ['get_capability', 'diffusers.generate'],
  'textToImage',
  PROMPT,
  { steps: 2, width: 64, height: 64 },
];

const entries = (target: Page) => target.locator('[data-testid="gallery-entry"]');
const imageSources = (target: Page) =>
  entries(target).evaluateAll((items) =>
    items.map((item) => item.querySelector('.viwo-gallery-images img')?.getAttribute('src')),
  );

beforeAll(async () => {
  if (serverMissing) return;
  backed = await openServerBackedHarness();
  page = backed.page;
}, 300_000);

afterAll(async () => {
  await backed?.close();
});

describe.skipIf(serverMissing !== undefined)('gallery with the real server', () => {
  test('a job shows up with its seed; search finds it by prompt', async () => {
    await page.evaluate(
      (script) => (window as unknown as HarnessWindow).__workbench.setScript(script),
      SCRIPT,
    );
    await page.click('[data-testid="blocks-run"]');
    await page.locator('[data-testid="result-image"]').first().waitFor({ timeout: 120_000 });
    await page.click('[data-testid="gallery-refresh"]');
    await entries(page).first().waitFor();
    expect(await entries(page).count()).toBe(1);
    expect(await entries(page).first().textContent()).toContain(PROMPT);
    expect(await entries(page).first().textContent()).toMatch(/seed \d+/);

    await page.fill('[data-testid="gallery-search"]', 'zebra');
    await page.press('[data-testid="gallery-search"]', 'Enter');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="gallery-entry"]').length === 0,
    );
    await page.fill('[data-testid="gallery-search"]', 'lighthouse');
    await page.press('[data-testid="gallery-search"]', 'Enter');
    await entries(page).first().waitFor();
  }, 180_000);

  test('favourite, re-run with the same seed, open in Blocks, use as layer, delete', async () => {
    const first = entries(page).first();
    await first.locator('[data-testid="gallery-favorite"]').click();
    await page.waitForSelector('[data-testid="gallery-favorite"][aria-pressed="true"]');

    const [original] = await imageSources(page);
    await first.locator('[data-testid="gallery-rerun"]').click();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="gallery-entry"]').length === 2,
      undefined,
      { timeout: 120_000 },
    );
    // Same recorded seed, same params and model: byte-identical image (same hash).
    expect(await imageSources(page)).toEqual([original, original]);

    await entries(page).last().locator('[data-testid="gallery-open-blocks"]').click();
    expect(
      await page.evaluate(() => (window as unknown as HarnessWindow).__workbench.script()),
    ).toEqual(SCRIPT);

    await entries(page).last().locator('[data-testid="gallery-use-layer"]').click();
    const withLayer = (await page.evaluate(() =>
      (window as unknown as HarnessWindow).__workbench.script(),
    )) as unknown[];
    expect(withLayer[0]).toBe('std.seq');
    const load = withLayer[withLayer.length - 1] as unknown[];
    expect(load[0]).toBe('canvas.layer.load_image');
    expect(original).toContain((load[2] as { $image: string }).$image);

    page.once('dialog', (dialog) => void dialog.accept());
    await entries(page).first().locator('[data-testid="gallery-delete"]').click();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="gallery-entry"]').length === 1,
    );
  }, 240_000);

  test('dropping a PNG this app produced restores its workflow (untrusted until confirmed)', async () => {
    const [source] = await imageSources(page);
    if (!source) throw new Error('the gallery shows no image');
    const png = new Uint8Array(
      await (await fetch(`${backed!.server.base}${source}`)).arrayBuffer(),
    );
    await page.evaluate(
      (script) => (window as unknown as HarnessWindow).__workbench.setScript(script),
      null,
    );
    await page.evaluate(
      (bytes) => {
        const transfer = new DataTransfer();
        transfer.items.add(
          new File([new Uint8Array(bytes)], 'lighthouse.png', { type: 'image/png' }),
        );
        window.dispatchEvent(
          new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }),
        );
      },
      [...png],
    );
    await page.waitForFunction(
      () => (window as unknown as HarnessWindow).__workbench.script() !== null,
    );
    const restored = (await page.evaluate(() =>
      (window as unknown as HarnessWindow).__workbench.script(),
    )) as unknown[];
    expect(restored.slice(0, 4)).toEqual(SCRIPT.slice(0, 4));
    expect((restored[4] as { seed?: unknown }).seed).toEqual(expect.any(Number));
    await page.click('[data-testid="blocks-run"]');
    await page.waitForSelector('[data-testid="trust-dialog"]');
    expect(await page.textContent('[data-testid="trust-calls"]')).toContain(
      'diffusers.generate.textToImage',
    );
    await page.click('[data-testid="trust-confirm"]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="blocks-status"]')?.textContent?.includes('done'),
      undefined,
      { timeout: 120_000 },
    );
    // The recorded seed reproduces the dropped image.
    const newest = await page.locator('[data-testid="result-image"]').first().getAttribute('src');
    expect(newest).toBe(source);
  }, 240_000);
});
