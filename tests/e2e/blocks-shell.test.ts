/**
 * Blocks Mode, templates and gallery inside the real app shell (built client served by the real
 * server): the mode switch shows a sized Blockly workspace with the server's blocks, a built-in
 * template loads from the templates drawer as real blocks (canvas opcodes included) and runs, and
 * "Visualize as Layers" switches to Layer Mode on the same script.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Browser, Page } from 'playwright-core';
import {
  type AppServer,
  browserMissing,
  launchBrowser,
  openApp,
  pageScript,
  startAppServer,
} from './support/app-server.ts';

if (browserMissing) console.warn(`skipping Blocks Mode shell tests: ${browserMissing}`);

let server: AppServer | undefined;
let browser: Browser | undefined;
let page: Page;

type HookWindow = {
  viwoBlocks: {
    Blockly: typeof import('blockly/core');
    workspace: import('blockly/core').WorkspaceSvg;
  };
};

beforeAll(async () => {
  if (browserMissing) return;
  server = await startAppServer();
  browser = await launchBrowser();
  page = await openApp(browser, server.url);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe.skipIf(browserMissing !== undefined)('Blocks Mode in the app shell', () => {
  test('the mode switch shows a sized workspace with the server blocks', async () => {
    await page.click('[data-testid=mode-blocks]');
    await page.waitForSelector(
      '[data-testid=blocks-mode] .blocklyToolbox, [data-testid=blocks-mode] .blocklyToolboxDiv',
    );
    const box = await page.locator('[data-testid=blockly-host]').boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    expect(box?.height).toBeGreaterThan(300);
    const types = await page.evaluate(() => {
      const { workspace } = (window as unknown as HookWindow).viwoBlocks;
      const toolbox = workspace.getToolbox() as import('blockly/core').Toolbox;
      const found: string[] = [];
      for (const item of toolbox.getToolboxItems()) {
        const category = item as import('blockly/core').ToolboxCategory;
        if (typeof category.getName !== 'function' || category.getName() === 'Variables') continue;
        toolbox.setSelectedItem(category);
        for (const block of toolbox.getFlyout()?.getWorkspace().getTopBlocks(false) ?? []) {
          found.push(block.type);
        }
      }
      toolbox.clearSelection();
      return found;
    });
    expect(types).toContain('viwo_cap:upscale.upscale');
    expect(types).toContain('viwo_op:canvas.draw_stroke');
  });

  test('a built-in template loads as blocks and runs to a result', async () => {
    await page.click('[data-testid=open-templates]');
    const item = page.locator('[data-testid=template-item][data-template-id="builtin:upscale-x4"]');
    await item.waitFor();
    await item.locator('[data-testid=template-load]').click();
    const blocks = await page.evaluate(() =>
      (window as unknown as HookWindow).viwoBlocks.workspace
        .getAllBlocks(false)
        .map((block) => [block.type, block.getParent()?.type ?? null]),
    );
    const blockTypes = blocks.map(([type]) => type);
    expect(blockTypes).toContain('viwo_op:canvas.init');
    expect(blockTypes).toContain('viwo_op:canvas.draw_stroke');
    expect(blockTypes).toContain('viwo_cap:upscale.upscale');
    // Only quoted data (the stroke points) is shown as JSON; every call has its own block.
    const raw = blocks.filter(([type]) => type === 'viwo_raw');
    expect(raw.length).toBe(2);
    expect(raw.every(([, parent]) => parent === 'viwo_op:std.quote')).toBe(true);
    await page.click('[data-testid=blocks-run]');
    const result = page.locator('[data-testid=result-image]').last();
    await result.waitFor({ timeout: 120_000 });
    const sizes = await page
      .locator('[data-testid=result-image]')
      .evaluateAll((images) => images.map((image) => image.getAttribute('data-width')));
    expect(sizes).toContain('256');
  }, 180_000);

  test('Visualize as Layers shows the same script in Layer Mode', async () => {
    const before = await pageScript(page);
    await page.click('[data-testid=blocks-visualize]');
    await page.waitForSelector('[data-testid=layer-mode]');
    expect(await pageScript(page)).toEqual(before);
  });
});
