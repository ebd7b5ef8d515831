/**
 * Blocks Mode in real Chromium with real Blockly: the editor is bundled by Vite (with the Solid
 * compiler) into a page whose workbench is a plain signal store, so these checks cover the
 * browser side (toolbox, flyouts, two-way sync with the shared script) without a server. The
 * server-backed flows live in blocks-workflow / templates-roundtrip tests.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import solid from 'vite-plugin-solid';
import { BUILTIN_TEMPLATES } from '../../apps/imagegen/src/templates/builtin-templates.ts';
import { CAPABILITIES, OPCODES } from '../../apps/imagegen/test/blocks-metadata-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const APP = resolve(import.meta.dir, '../../apps/imagegen');
const HARNESS_ID = 'virtual:blocks-harness';

const harnessSource = `
import * as Blockly from 'blockly/core';
import { createComponent, createSignal } from 'solid-js';
import { render } from 'solid-js/web';
import { BlocksMode } from '${APP}/src/blocks/blocks-mode.tsx';
const metadata = window.__METADATA__;
const [script, setScript] = createSignal(null);
const [opcodes] = createSignal(metadata.opcodes);
const [capabilities] = createSignal(metadata.capabilities);
const workbench = {
  script, setScript, opcodes, capabilities,
  rpc: { call: (method) => Promise.reject(new Error('no server in this page: ' + method)) },
  runScript: () => Promise.reject({ message: 'script error', data: { code: 'TypeError', message: 'bad factor', path: [6, 4, 'factor'] } }),
};
window.__workbench = workbench;
window.__Blockly = Blockly;
render(() => createComponent(BlocksMode, { workbench }), document.getElementById('root'));
`;

const skip = !existsSync(CHROMIUM);
if (skip) console.warn(`skipping Blocks Mode browser tests: ${CHROMIUM} is not installed`);

let outDir = '';
let server: ReturnType<typeof Bun.serve> | undefined;
let browser: Browser | undefined;
let page: Page;

beforeAll(async () => {
  if (skip) return;
  outDir = mkdtempSync(join(tmpdir(), 'viwo-blocks-harness-'));
  await build({
    root: APP,
    logLevel: 'warn',
    plugins: [
      {
        name: 'blocks-harness',
        resolveId: (id) => (id === HARNESS_ID ? `\0${HARNESS_ID}.js` : undefined),
        load: (id) => (id === `\0${HARNESS_ID}.js` ? harnessSource : undefined),
      },
      solid(),
    ],
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      rollupOptions: { input: HARNESS_ID, output: { entryFileNames: 'harness.js', format: 'es' } },
    },
  });
  const html = `<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0">
<div id="root" style="width:1200px;height:800px;display:flex;flex-direction:column"></div>
<script>window.__METADATA__ = ${JSON.stringify({ opcodes: OPCODES, capabilities: CAPABILITIES })};</script>
<script type="module" src="/harness.js"></script></body></html>`;
  server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: (request) => {
      const path = new URL(request.url).pathname;
      if (path === '/') return new Response(html, { headers: { 'content-type': 'text/html' } });
      const file = Bun.file(join(outDir, path));
      return file.size > 0 ? new Response(file) : new Response('not found', { status: 404 });
    },
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`http://127.0.0.1:${server.port}/`);
  await page.waitForSelector('.blocklyToolbox, .blocklyToolboxDiv', { timeout: 30_000 });
  expect(errors).toEqual([]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.stop(true);
  if (outDir) rmSync(outDir, { recursive: true, force: true });
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
    const warned = await page.evaluate(() => {
      const Blockly = (window as unknown as { __Blockly: typeof import('blockly/core') }).__Blockly;
      return Blockly.getMainWorkspace()
        .getAllBlocks(false)
        .filter((block) => block.hasIcon(Blockly.icons.IconType.WARNING))
        .map((block) => block.type);
    });
    expect(warned).toEqual(['viwo_cap:upscale.upscale']);
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
});
