/**
 * Blocks Mode in real Chromium with real Blockly: the editor is bundled by Vite (with the Solid
 * compiler) into a page whose workbench is a plain signal store, so these checks cover the
 * browser side (toolbox, flyouts, two-way sync with the shared script) without a server. The
 * server-backed flows live in blocks-workflow / templates-roundtrip tests.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from 'playwright-core';
import { BUILTIN_TEMPLATES } from '../../apps/imagegen/src/templates/builtin-templates.ts';
import {
  browserMissing,
  type Harness,
  openHarness,
} from '../../apps/imagegen/test/blocks-browser-harness.ts';
import { CAPABILITIES } from '../../apps/imagegen/test/blocks-metadata-fixture.ts';

const skip = browserMissing !== undefined;
if (skip) console.warn(`skipping Blocks Mode browser tests: ${browserMissing}`);

let harness: Harness | undefined;
let page: Page;

beforeAll(async () => {
  if (skip) return;
  harness = await openHarness();
  page = harness.page;
  expect(harness.errors).toEqual([]);
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

describe.skipIf(skip)('Blocks Mode in Chromium', () => {
  test('the toolbox has a category per capability with a block for every method', async () => {
    const flyouts = await page.evaluate(() => {
      const Blockly = (window as unknown as { __Blockly: typeof import('blockly/core') }).__Blockly;
      const workspace = Blockly.getMainWorkspace() as import('blockly/core').WorkspaceSvg;
      const toolbox = workspace.getToolbox() as import('blockly/core').Toolbox;
      const result: Record<string, string[]> = {};
      for (const item of toolbox.getToolboxItems()) {
        const category = item as import('blockly/core').ToolboxCategory;
        if (typeof category.getName !== 'function') continue;
        toolbox.setSelectedItem(category);
        const flyout = toolbox.getFlyout();
        result[category.getName()] = (flyout?.getWorkspace().getTopBlocks(true) ?? []).map(
          (block) => block.type,
        );
      }
      return result;
    });
    for (const capability of CAPABILITIES) {
      expect(flyouts[capability.label]?.sort()).toEqual(
        capability.methods.map((method) => `viwo_cap:${capability.type}.${method.name}`).sort(),
      );
    }
    expect(flyouts.Values).toContain('viwo_raw');
  });

  test('a script set elsewhere shows as blocks, and block edits update the shared script', async () => {
    const template = BUILTIN_TEMPLATES.find((entry) => entry.id === 'builtin:upscale-x4')!;
    const edited = await page.evaluate((script) => {
      const win = window as unknown as {
        __Blockly: typeof import('blockly/core');
        __workbench: { setScript(script: unknown): void; script(): unknown };
      };
      win.__workbench.setScript(script);
      const workspace = win.__Blockly.getMainWorkspace();
      const top = workspace.getTopBlocks(false).map((block) => block.type);
      const factor = workspace
        .getAllBlocks(false)
        .find((block) => block.type === 'viwo_field:upscale.upscale.options:factor');
      factor?.setFieldValue('2', 'VALUE');
      return { top, hasFactor: factor !== undefined };
    }, template.script);
    expect(edited).toEqual({ top: ['viwo_op:std.seq'], hasFactor: true });
    // Blockly fires change events asynchronously; the shared script follows shortly after.
    await page.waitForFunction(() => {
      const script = (
        window as unknown as { __workbench: { script(): unknown[] } }
      ).__workbench.script();
      return JSON.stringify(script).includes('"factor":2');
    });
    const script = await page.evaluate(() =>
      (window as unknown as { __workbench: { script(): unknown } }).__workbench.script(),
    );
    const expected = JSON.parse(JSON.stringify(template.script));
    expected[6][4].factor = 2;
    expect(script).toEqual(expected);
  });

  test('a run error is shown on the block its JSON path points at', async () => {
    await page.click('[data-testid="blocks-run"]');
    await page.waitForSelector('[data-testid="blocks-status"].viwo-error');
    const status = await page.textContent('[data-testid="blocks-status"]');
    expect(status).toContain('bad factor');
    expect(status).toContain('highlighted block');
    const warnings = await page.evaluate(() => {
      const Blockly = (window as unknown as { __Blockly: typeof import('blockly/core') }).__Blockly;
      return Blockly.getMainWorkspace()
        .getAllBlocks(false)
        .filter((block) => block.hasIcon(Blockly.icons.IconType.WARNING))
        .map((block) => {
          const icon = block.getIcon(Blockly.icons.IconType.WARNING) as unknown as {
            getText(): string;
          };
          return [block.type, icon.getText()];
        });
    });
    expect(
      warnings.filter(([, text]) => text?.includes('bad factor')).map(([type]) => type),
    ).toEqual(['viwo_cap:upscale.upscale']);
    // The browser-side checker flags what this (fixture) server does not offer: the canvas opcodes.
    const unknown = warnings.filter(([, text]) => text?.includes('UnknownOpcode'));
    expect(unknown.length).toBe(5);
    expect(unknown.every(([type]) => type === 'viwo_raw')).toBe(true);
  });

  test('the variables category offers let / set / get for each workspace variable', async () => {
    const types = await page.evaluate(() => {
      const Blockly = (window as unknown as { __Blockly: typeof import('blockly/core') }).__Blockly;
      const workspace = Blockly.getMainWorkspace() as import('blockly/core').WorkspaceSvg;
      const toolbox = workspace.getToolbox() as import('blockly/core').Toolbox;
      const variables = toolbox
        .getToolboxItems()
        .find(
          (item) => (item as import('blockly/core').ToolboxCategory).getName?.() === 'Variables',
        );
      toolbox.setSelectedItem(variables as import('blockly/core').ToolboxCategory);
      return (toolbox.getFlyout()?.getWorkspace().getTopBlocks(true) ?? []).map(
        (block) => block.type,
      );
    });
    expect(types).toEqual(['viwo_op:std.let', 'viwo_op:std.set', 'viwo_op:std.var']);
  });

  test('the text view shows the S-expression form and applies edits back', async () => {
    await page.evaluate(() =>
      (
        window as unknown as { __workbench: { setScript(script: unknown): void } }
      ).__workbench.setScript(['std.seq', ['std.let', 'x', 1], ['+', ['std.var', 'x'], 2]]),
    );
    await page.click('[data-testid="blocks-text-toggle"]');
    const text = page.locator('[data-testid="script-text"]');
    await text.waitFor();
    expect((await text.inputValue()).replace(/\s+/g, ' ')).toContain('(std.let "x" 1)');
    await text.fill('(std.seq (std.let "x" 5) (+ (std.var "x") 2))');
    await page.click('[data-testid="script-text-apply"]');
    await page.waitForFunction(() =>
      JSON.stringify(
        (window as unknown as { __workbench: { script(): unknown } }).__workbench.script(),
      ).includes('5'),
    );
    expect(
      await page.evaluate(() =>
        (window as unknown as { __workbench: { script(): unknown } }).__workbench.script(),
      ),
    ).toEqual(['std.seq', ['std.let', 'x', 5], ['+', ['std.var', 'x'], 2]]);
    const blocks = await page.evaluate(() =>
      (window as unknown as { __Blockly: typeof import('blockly/core') }).__Blockly
        .getMainWorkspace()
        .getAllBlocks(false)
        .map((block) => block.type),
    );
    expect(blocks).toContain('viwo_op:+');
    await text.fill('(std.seq (unclosed');
    await page.click('[data-testid="script-text-apply"]');
    await page.waitForSelector('[data-testid="script-text-error"]');
    expect(
      await page.evaluate(() =>
        (window as unknown as { __workbench: { script(): unknown } }).__workbench.script(),
      ),
    ).toEqual(['std.seq', ['std.let', 'x', 5], ['+', ['std.var', 'x'], 2]]);
  });
});
