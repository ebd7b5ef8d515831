/**
 * Workflow templates against the real server in Debian's Chromium: save as template → export →
 * delete → import → load → run gives the same image; a malformed template import shows an error
 * and leaves the list unchanged.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import {
  openServerBackedHarness,
  type ServerBackedHarness,
  serverMissing,
} from '../../apps/imagegen/test/blocks-browser-harness.ts';

if (serverMissing) console.warn(`skipping template server tests: ${serverMissing}`);

let backed: ServerBackedHarness | undefined;
let page: Page;

type HarnessWindow = {
  __Blockly: typeof import('blockly/core');
  __workbench: { capabilities(): unknown[] };
};

async function runAndGetHash(target: Page): Promise<string> {
  const before = await target.locator('[data-testid="result-image"]').count();
  await target.click('[data-testid="blocks-run"]');
  const dialog = target.locator('[data-testid="trust-dialog"]');
  await Promise.race([
    dialog.waitFor({ timeout: 120_000 }),
    target.waitForFunction(
      (count) => document.querySelectorAll('[data-testid="result-image"]').length > count,
      before,
      { timeout: 120_000 },
    ),
  ]);
  if (await dialog.isVisible()) await target.click('[data-testid="trust-confirm"]');
  await target.waitForFunction(
    (count) => document.querySelectorAll('[data-testid="result-image"]').length > count,
    before,
    { timeout: 120_000 },
  );
  return (await target.locator('[data-testid="result-image"]').first().getAttribute('data-hash'))!;
}

const templateIds = (target: Page) =>
  target
    .locator('[data-testid="template-item"]')
    .evaluateAll((items) => items.map((item) => item.getAttribute('data-template-id')));

beforeAll(async () => {
  if (serverMissing) return;
  backed = await openServerBackedHarness();
  page = backed.page;
}, 300_000);

afterAll(async () => {
  await backed?.close();
});

describe.skipIf(serverMissing !== undefined)('templates with the real server', () => {
  test('save → export → delete → import → load → run gives the same image', async () => {
    const png = await sharp({
      create: { width: 20, height: 12, channels: 3, background: { r: 220, g: 90, b: 30 } },
    })
      .png()
      .toBuffer();
    const response = await fetch(`${backed!.server.base}/images`, {
      method: 'POST',
      body: new Uint8Array(png),
    });
    const image = await response.json();
    await page.evaluate((value) => {
      const Blockly = (window as unknown as HarnessWindow).__Blockly;
      const workspace = Blockly.getMainWorkspace();
      workspace.clear();
      Blockly.serialization.blocks.append(
        {
          type: 'viwo_cap:upscale.upscale',
          inputs: {
            ARG_image: { block: { type: 'viwo_raw', fields: { JSON: JSON.stringify(value) } } },
            'options.factor': { block: { type: 'viwo_lit_number', fields: { VALUE: 2 } } },
          },
        },
        workspace,
      );
    }, image);
    const first = await runAndGetHash(page);

    await page.click('[data-testid="template-save-open"]');
    await page.fill('[data-testid="template-name"]', 'E2E upscale');
    await page.click('[data-testid="template-save"]');
    const saved = page.locator('[data-testid="template-item"][data-template-name="E2E upscale"]');
    await saved.waitFor();

    const download = page.waitForEvent('download');
    await saved.locator('[data-testid="template-export"]').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('E2E-upscale.viwo-template.json');
    const exported = await Bun.file((await file.path())!).text();
    expect(JSON.parse(exported)).toMatchObject({ version: 2, name: 'E2E upscale' });

    page.once('dialog', (dialog) => void dialog.accept());
    await saved.locator('[data-testid="template-delete"]').click();
    await saved.waitFor({ state: 'detached' });

    await page.setInputFiles('[data-testid="template-import-file"]', {
      name: 'E2E-upscale.viwo-template.json',
      mimeType: 'application/json',
      buffer: Buffer.from(exported),
    });
    const imported = page.locator(
      '[data-testid="template-item"][data-template-name="E2E upscale"]',
    );
    await imported.waitFor();
    await page.evaluate(() =>
      (window as unknown as HarnessWindow).__Blockly.getMainWorkspace().clear(),
    );
    await imported.locator('[data-testid="template-load"]').click();
    // An imported template is untrusted: runAndGetHash confirms the dialog its first run shows.
    expect(await runAndGetHash(page)).toBe(first);

    page.once('dialog', (dialog) => void dialog.accept('E2E renamed'));
    await imported.locator('[data-testid="template-rename"]').click();
    await page.locator('[data-testid="template-item"][data-template-name="E2E renamed"]').waitFor();
    expect(await imported.count()).toBe(0);
  }, 300_000);

  test('a malformed template import shows an error and leaves the list unchanged', async () => {
    const before = await templateIds(page);
    for (const [name, content] of [
      ['broken.viwo-template.json', '{"version": 2, "kind": '],
      [
        'incomplete.viwo-template.json',
        JSON.stringify({ version: 2, kind: 'viwo-template', script: 1 }),
      ],
    ] as const) {
      await page.setInputFiles('[data-testid="template-import-file"]', {
        name,
        mimeType: 'application/json',
        buffer: Buffer.from(content),
      });
      await page.waitForFunction(
        (fileName) =>
          document
            .querySelector('[data-testid="template-message"][role="alert"]')
            ?.textContent?.includes(fileName),
        name,
      );
      expect(await templateIds(page)).toEqual(before);
    }
  }, 120_000);
});
