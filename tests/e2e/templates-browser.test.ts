/**
 * The templates panel in Chromium without a server: built-in templates show while offline, load
 * with exposed values applied, export as `.viwo-template.json`; a dropped PNG's embedded workflow
 * loads and is gated as untrusted until the user confirms its first run.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { insertPngText } from '@viwo/protocol';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { BUILTIN_TEMPLATES } from '../../apps/imagegen/src/templates/builtin-templates.ts';
import {
  browserMissing,
  type Harness,
  openHarness,
} from '../../apps/imagegen/test/blocks-browser-harness.ts';

const skip = browserMissing !== undefined;
if (skip) console.warn(`skipping template browser tests: ${browserMissing}`);

let harness: Harness | undefined;
let page: Page;

const sharedScript = (target: Page) =>
  target.evaluate(() =>
    (window as unknown as { __workbench: { script(): unknown } }).__workbench.script(),
  );

beforeAll(async () => {
  if (skip) return;
  harness = await openHarness({ panels: true });
  page = harness.page;
  await page.waitForSelector('[data-testid="template-item"]');
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

describe.skipIf(skip)('templates panel in Chromium', () => {
  test('built-in templates are listed while the server is unreachable', async () => {
    const names = await page
      .locator('[data-testid="template-item"]')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-template-name')));
    expect(names).toEqual(BUILTIN_TEMPLATES.map((template) => template.name));
    expect(await page.textContent('[data-testid="template-message"]')).toContain('cached list');
  });

  test('search filters the list', async () => {
    await page.fill('[data-testid="template-search"]', 'batch');
    expect(await page.locator('[data-testid="template-item"]').count()).toBe(1);
    await page.fill('[data-testid="template-search"]', '');
    expect(await page.locator('[data-testid="template-item"]').count()).toBe(
      BUILTIN_TEMPLATES.length,
    );
  });

  test('loading applies exposed values and shows the workflow as blocks', async () => {
    const item = page.locator(
      '[data-testid="template-item"][data-template-id="builtin:txt2img-upscale"]',
    );
    await item.locator('.viwo-template-title').click();
    const prompt = item.locator('label.viwo-exposed', { hasText: 'Prompt' }).locator('input');
    await prompt.fill('a red kite over dunes');
    await prompt.dispatchEvent('change');
    await item.locator('[data-testid="template-load"]').click();
    const script = (await sharedScript(page)) as unknown[];
    expect(JSON.stringify(script)).toContain('a red kite over dunes');
    const blockTypes = await page.evaluate(() =>
      (window as unknown as { __Blockly: typeof import('blockly/core') }).__Blockly
        .getMainWorkspace()
        .getAllBlocks(false)
        .map((block) => block.type),
    );
    expect(blockTypes).toContain('viwo_cap:diffusers.generate.textToImage');
    expect(blockTypes).toContain('viwo_cap:upscale.upscale');
  });

  test('export downloads a .viwo-template.json with a version', async () => {
    const item = page.locator(
      '[data-testid="template-item"][data-template-id="builtin:upscale-x4"]',
    );
    const download = page.waitForEvent('download');
    await item.locator('[data-testid="template-export"]').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('Upscale-4-ESRGAN.viwo-template.json');
    const document = JSON.parse(await Bun.file((await file.path())!).text());
    expect(document).toMatchObject({
      version: 2,
      kind: 'viwo-template',
      name: 'Upscale ×4 (ESRGAN)',
    });
  });

  test('a dropped PNG loads its workflow as untrusted: the first run asks first', async () => {
    const script = [
      'std.call_method',
      ['get_capability', 'diffusers.generate'],
      'textToImage',
      'a fox',
      { steps: 10, width: 512, height: 512, seed: 3 },
    ];
    const base = await sharp({
      create: { width: 8, height: 8, channels: 3, background: '#336699' },
    })
      .png()
      .toBuffer();
    const png = insertPngText(new Uint8Array(base), {
      viwo: JSON.stringify({ script, params: {} }),
    });
    await page.evaluate(
      (bytes) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(bytes)], 'fox.png', { type: 'image/png' }));
        window.dispatchEvent(
          new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }),
        );
      },
      [...png],
    );
    // The workbench holds the template loaded before: replacing it asks first.
    await page.click('[data-testid="replace-confirm"]');
    await page.waitForFunction(() =>
      JSON.stringify(
        (window as unknown as { __workbench: { script(): unknown } }).__workbench.script(),
      ).includes('a fox'),
    );
    expect(await sharedScript(page)).toEqual(script);

    await page.click('[data-testid="blocks-run"]');
    await page.waitForSelector('[data-testid="trust-dialog"]');
    expect(await page.textContent('[data-testid="trust-dialog"]')).toContain('fox.png');
    expect(await page.textContent('[data-testid="trust-calls"]')).toContain(
      'diffusers.generate.textToImage',
    );
    expect(await page.textContent('[data-testid="trust-cost"]')).toContain('2.62');
    await page.click('[data-testid="trust-dialog"] button:not(.primary)');
    await page.waitForSelector('[data-testid="trust-dialog"]', { state: 'detached' });
    expect(await page.textContent('[data-testid="blocks-status"]')).toContain('cancelled');

    await page.click('[data-testid="blocks-run"]');
    await page.click('[data-testid="trust-confirm"]');
    // The harness has no server: the run fails, but it was attempted only after the yes.
    await page.waitForSelector('[data-testid="blocks-status"].viwo-error');
    await page.click('[data-testid="blocks-run"]');
    await page.waitForSelector('[data-testid="blocks-status"].viwo-error');
    expect(await page.locator('[data-testid="trust-dialog"]').count()).toBe(0);
  });

  test('a PNG from elsewhere is refused with a message', async () => {
    const plain = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    await page.setInputFiles('[data-testid="template-import-file"]', {
      name: 'holiday.png',
      mimeType: 'image/png',
      buffer: plain,
    });
    await page.waitForFunction(() =>
      document
        .querySelector('[data-testid="template-message"]')
        ?.textContent?.includes('holiday.png'),
    );
    expect(await page.textContent('[data-testid="template-message"]')).toContain(
      'no "viwo" text chunk',
    );
  });

  test('the gallery mounts and says when history is unreachable', async () => {
    await page.waitForSelector('[data-testid="gallery-panel"] [role="alert"]');
    expect(await page.textContent('[data-testid="gallery-panel"] [role="alert"]')).toContain(
      'history unavailable',
    );
    expect(await page.locator('[data-testid="gallery-type"] option').allTextContents()).toEqual([
      'All types',
      'Upscale',
      'Generate',
      'Test only',
    ]);
  });
});
