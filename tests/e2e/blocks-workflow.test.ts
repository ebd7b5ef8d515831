/**
 * Blocks Mode against the real server (real plugins, real ESRGAN upscaler) in Debian's Chromium:
 * the toolbox offers a block for every capability method the server reports, and an upscale
 * workflow built from blocks runs to a result image.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import {
  openServerBackedHarness,
  type ServerBackedHarness,
  serverMissing,
} from '../../apps/imagegen/test/blocks-browser-harness.ts';

if (serverMissing) console.warn(`skipping Blocks Mode server tests: ${serverMissing}`);

let backed: ServerBackedHarness | undefined;
let page: Page;

type BlocklyWindow = {
  __Blockly: typeof import('blockly/core');
  __workbench: { capabilities(): { type: string; methods: { name: string }[] }[] };
};

beforeAll(async () => {
  if (serverMissing) return;
  backed = await openServerBackedHarness();
  page = backed.page;
}, 300_000);

afterAll(async () => {
  await backed?.close();
});

describe.skipIf(serverMissing !== undefined)('Blocks Mode with the real server', () => {
  test('the toolbox contains a block for every capability method the server reports', async () => {
    const { expected, offered } = await page.evaluate(() => {
      const win = window as unknown as BlocklyWindow;
      const workspace = win.__Blockly.getMainWorkspace() as import('blockly/core').WorkspaceSvg;
      const toolbox = workspace.getToolbox() as import('blockly/core').Toolbox;
      const types: string[] = [];
      for (const item of toolbox.getToolboxItems()) {
        const category = item as import('blockly/core').ToolboxCategory;
        if (typeof category.getName !== 'function' || category.getName() === 'Variables') continue;
        toolbox.setSelectedItem(category);
        for (const block of toolbox.getFlyout()?.getWorkspace().getTopBlocks(false) ?? []) {
          types.push(block.type);
        }
      }
      toolbox.clearSelection();
      const reported = win.__workbench
        .capabilities()
        .flatMap((capability) =>
          capability.methods.map((method) => `viwo_cap:${capability.type}.${method.name}`),
        );
      return { expected: reported, offered: types };
    });
    expect(expected).toContain('viwo_cap:upscale.upscale');
    for (const type of expected) expect(offered).toContain(type);
  });

  test('an upscale workflow built from blocks runs to a result image', async () => {
    const png = await sharp({
      create: { width: 24, height: 16, channels: 3, background: { r: 40, g: 120, b: 200 } },
    })
      .png()
      .toBuffer();
    const response = await fetch(`${backed!.server.base}/images`, {
      method: 'POST',
      body: new Uint8Array(png),
    });
    const uploaded = (await response.json()) as { $image: string; width: number; height: number };
    await page.evaluate((image) => {
      const Blockly = (window as unknown as BlocklyWindow).__Blockly;
      const workspace = Blockly.getMainWorkspace();
      workspace.clear();
      Blockly.serialization.blocks.append(
        {
          type: 'viwo_cap:upscale.upscale',
          inputs: {
            ARG_image: { block: { type: 'viwo_raw', fields: { JSON: JSON.stringify(image) } } },
            'options.factor': { block: { type: 'viwo_lit_number', fields: { VALUE: 2 } } },
          },
        },
        workspace,
      );
    }, uploaded);
    await page.click('[data-testid="blocks-run"]');
    const result = page.locator('[data-testid="result-image"]').first();
    await result.waitFor({ timeout: 120_000 });
    expect(await result.getAttribute('data-width')).toBe(String(uploaded.width * 2));
    expect(await result.getAttribute('data-height')).toBe(String(uploaded.height * 2));
    const hash = await result.getAttribute('data-hash');
    const served = await fetch(`${backed!.server.base}/images/${hash}.png`);
    expect(served.ok).toBe(true);
    const meta = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([48, 32]);
    // The image is really displayed (loaded through the page's origin).
    expect(await result.evaluate((image) => (image as HTMLImageElement).naturalWidth)).toBe(48);
  }, 180_000);
});
