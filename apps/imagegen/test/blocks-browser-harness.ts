/**
 * Browser harness for the Blocks Mode and templates components: Vite (with the Solid compiler)
 * bundles a page that mounts them on a plain signal-store workbench, Bun serves it, and Debian's
 * Chromium opens it. No server: RPC calls reject, so only browser-side behaviour is covered here.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import solid from 'vite-plugin-solid';
import { CAPABILITIES, OPCODES } from './blocks-metadata-fixture.ts';

/** Where Debian installs Chromium; browser tests skip when it is missing. */
export const CHROMIUM = '/usr/bin/chromium';
/** Why browser tests cannot run here, if they cannot. */
export const browserMissing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed`;

const APP = resolve(import.meta.dir, '..');
const HARNESS_ID = 'virtual:blocks-harness';

function harnessSource(withTemplates: boolean): string {
  return `
import * as Blockly from 'blockly/core';
import { createComponent, createSignal } from 'solid-js';
import { render } from 'solid-js/web';
import { BlocksMode } from '${APP}/src/blocks/blocks-mode.tsx';
${withTemplates ? `import { TemplatesPanel } from '${APP}/src/templates/templates-panel.tsx';\nimport { GalleryPanel } from '${APP}/src/gallery/gallery-panel.tsx';` : ''}
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
${withTemplates ? `render(() => createComponent(TemplatesPanel, { workbench }), document.getElementById('side'));\nrender(() => createComponent(GalleryPanel, { workbench }), document.getElementById('gallery'));` : ''}
`;
}

/** A running harness page. */
export interface Harness {
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

/** Builds and opens the harness; `withTemplates` also mounts the templates and gallery panels. */
export async function openHarness(withTemplates: boolean): Promise<Harness> {
  const outDir = mkdtempSync(join(tmpdir(), 'viwo-blocks-harness-'));
  const source = harnessSource(withTemplates);
  await build({
    // The app's own vite.config.ts (inputs, plugins) must not apply to the harness bundle.
    configFile: false,
    root: APP,
    logLevel: 'warn',
    plugins: [
      {
        name: 'blocks-harness',
        resolveId: (id) => (id === HARNESS_ID ? `\0${HARNESS_ID}.js` : undefined),
        load: (id) => (id === `\0${HARNESS_ID}.js` ? source : undefined),
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
  const html = `<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0;display:flex">
<div id="root" style="width:1000px;height:800px;display:flex;flex-direction:column"></div>
<div id="side" style="width:400px;height:800px;overflow:auto"></div>
<div id="gallery" style="width:400px;height:800px;overflow:auto"></div>
<script>window.__METADATA__ = ${JSON.stringify({ opcodes: OPCODES, capabilities: CAPABILITIES })};</script>
<script type="module" src="/harness.js"></script></body></html>`;
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: (request) => {
      const path = new URL(request.url).pathname;
      if (path === '/') return new Response(html, { headers: { 'content-type': 'text/html' } });
      const file = Bun.file(join(outDir, path));
      return file.size > 0 ? new Response(file) : new Response('not found', { status: 404 });
    },
  });
  let browser: Browser | undefined;
  try {
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
    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`http://127.0.0.1:${server.port}/`);
    await page.waitForSelector('.blocklyToolbox, .blocklyToolboxDiv', { timeout: 30_000 });
    const opened = browser;
    return {
      page,
      errors,
      async close() {
        await opened.close();
        server.stop(true);
        rmSync(outDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close();
    server.stop(true);
    rmSync(outDir, { recursive: true, force: true });
    throw error;
  }
}
