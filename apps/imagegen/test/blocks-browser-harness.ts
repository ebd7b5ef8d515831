/**
 * Browser harness for the Blocks Mode, templates and gallery components: Vite (with the Solid
 * compiler) bundles a page that mounts them on a signal-store workbench, Bun serves it, and
 * Debian's Chromium opens it.
 *
 * Without a backend the workbench uses the fixture metadata and its RPC calls reject (browser-side
 * behaviour only). With `backend` (a running `viwo serve`), the page talks JSON-RPC over a real
 * WebSocket: the harness server forwards `/rpc` and `/images/*` to the backend, so the page's
 * origin is the one it is served from and the backend sees a loopback client.
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

const OFFLINE_WORKBENCH = `
const metadata = window.__METADATA__;
const [opcodes] = createSignal(metadata.opcodes);
const [capabilities] = createSignal(metadata.capabilities);
const rpc = { call: (method) => Promise.reject(new Error('no server in this page: ' + method)) };
const runScript = () => Promise.reject({ message: 'script error', data: { code: 'TypeError', message: 'bad factor', path: [6, 4, 'factor'] } });
`;

const ONLINE_WORKBENCH = `
const socket = new WebSocket('ws://' + location.host + '/rpc');
const opened = new Promise((ready) => socket.addEventListener('open', ready));
const pending = new Map();
const listeners = new Map();
let nextId = 1;
socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  if (message.id !== undefined && pending.has(message.id)) {
    const { ok, fail } = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) fail(message.error); else ok(message.result);
  } else if (message.method) {
    for (const handler of listeners.get(message.method) ?? []) handler(message.params);
  }
});
const rpc = {
  async call(method, params) {
    await opened;
    const id = nextId++;
    const answer = new Promise((ok, fail) => pending.set(id, { ok, fail }));
    socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }));
    return answer;
  },
  on(method, handler) {
    const set = listeners.get(method) ?? new Set();
    set.add(handler);
    listeners.set(method, set);
    return () => set.delete(handler);
  },
};
const [opcodes, setOpcodes] = createSignal([]);
const [capabilities, setCapabilities] = createSignal([]);
rpc.call('get_opcodes').then(setOpcodes);
rpc.call('get_capability_metadata').then(setCapabilities);
const runScript = (value) => rpc.call('execute_script', { script: value === undefined ? script() : value });
`;

function harnessSource(panels: boolean, online: boolean): string {
  return `
import * as Blockly from 'blockly/core';
import { createComponent, createSignal } from 'solid-js';
import { render } from 'solid-js/web';
import { BlocksMode } from '${APP}/src/blocks/blocks-mode.tsx';
import { TemplatesPanel } from '${APP}/src/templates/templates-panel.tsx';
import { GalleryPanel } from '${APP}/src/gallery/gallery-panel.tsx';
const [script, setScript] = createSignal(null);
${online ? ONLINE_WORKBENCH : OFFLINE_WORKBENCH}
const workbench = { script, setScript, opcodes, capabilities, rpc, runScript };
window.__workbench = workbench;
window.__Blockly = Blockly;
render(() => createComponent(BlocksMode, { workbench }), document.getElementById('root'));
if (${panels}) {
  render(() => createComponent(TemplatesPanel, { workbench }), document.getElementById('side'));
  render(() => createComponent(GalleryPanel, { workbench }), document.getElementById('gallery'));
}
`;
}

/** A running harness page. */
export interface Harness {
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

/** What to mount and where RPC goes. */
export interface HarnessOptions {
  /** Also mount the templates and gallery panels. */
  panels?: boolean;
  /** Base URL of a running viwo server (`http://127.0.0.1:PORT`); omitted → offline fixture. */
  backend?: string;
}

interface SocketData {
  upstream?: WebSocket;
  queue: (string | Buffer)[];
}

function startServer(html: string, outDir: string, backend: string | undefined) {
  return Bun.serve<SocketData>({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request, server) {
      const url = new URL(request.url);
      if (backend && url.pathname === '/rpc') {
        if (server.upgrade(request, { data: { queue: [] } })) return undefined;
        return new Response('expected a WebSocket', { status: 400 });
      }
      if (backend && url.pathname.startsWith('/images')) {
        return fetch(`${backend}${url.pathname}`, {
          method: request.method,
          body: request.method === 'POST' ? await request.arrayBuffer() : undefined,
        });
      }
      if (url.pathname === '/')
        return new Response(html, { headers: { 'content-type': 'text/html' } });
      const file = Bun.file(join(outDir, url.pathname));
      return file.size > 0 ? new Response(file) : new Response('not found', { status: 404 });
    },
    websocket: {
      open(socket) {
        const upstream = new WebSocket(`${backend!.replace(/^http/, 'ws')}/rpc`);
        socket.data.upstream = upstream;
        upstream.addEventListener('open', () => {
          for (const message of socket.data.queue) upstream.send(message);
          socket.data.queue = [];
        });
        upstream.addEventListener('message', (event) => socket.send(event.data as string));
        upstream.addEventListener('close', () => socket.close());
      },
      message(socket, message) {
        const upstream = socket.data.upstream;
        if (upstream?.readyState === WebSocket.OPEN) upstream.send(message);
        else socket.data.queue.push(message);
      },
      close(socket) {
        socket.data.upstream?.close();
      },
    },
  });
}

/** Builds and opens the harness page. */
export async function openHarness(options: HarnessOptions = {}): Promise<Harness> {
  const outDir = mkdtempSync(join(tmpdir(), 'viwo-blocks-harness-'));
  const source = harnessSource(options.panels === true, options.backend !== undefined);
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
  const server = startServer(html, outDir, options.backend);
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
    const page = await browser.newPage({ viewport: { width: 1800, height: 800 } });
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

const ROOT = resolve(APP, '../..');
/** The server CLI the server-backed browser tests start. */
export const SERVER_CLI = join(ROOT, 'apps/server/src/cli.ts');
/** Why server-backed browser tests cannot run here, if they cannot. */
export const serverMissing =
  browserMissing ?? (existsSync(SERVER_CLI) ? undefined : `${SERVER_CLI} does not exist yet`);

/** A `viwo serve` process on an ephemeral port with a temporary data dir. */
export interface ViwoServer {
  base: string;
  stop(): Promise<void>;
}

/** Starts the real server (`bun apps/server/src/cli.ts serve`) and waits until it answers. */
export async function startViwoServer(): Promise<ViwoServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'viwo-blocks-e2e-'));
  const probe = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() });
  const port = probe.port;
  probe.stop(true);
  const base = `http://127.0.0.1:${port}`;
  const child = Bun.spawn(
    [process.execPath, SERVER_CLI, 'serve', '--port', String(port), '--host', '127.0.0.1'],
    {
      cwd: ROOT,
      env: { ...process.env, VIWO_DATA: dataDir, VIWO_EP: 'cpu' },
      stdout: 'inherit',
      stderr: 'inherit',
    },
  );
  const stop = async () => {
    child.kill();
    await child.exited;
    rmSync(dataDir, { recursive: true, force: true });
  };
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`viwo serve exited with code ${child.exitCode} before answering`);
    }
    try {
      await fetch(`${base}/`);
      break;
    } catch {
      // Not listening yet.
    }
    if (attempt > 1200) {
      await stop();
      throw new Error('viwo serve did not answer within 120 s');
    }
    await Bun.sleep(100);
  }
  return { base, stop };
}

/** A harness page talking to a real server, ready once the server's metadata has arrived. */
export interface ServerBackedHarness {
  server: ViwoServer;
  harness: Harness;
  page: Page;
  close(): Promise<void>;
}

/**
 * Starts `viwo serve`, opens the panels harness against it, and waits until the workbench holds
 * the server's capability metadata (the toolbox and panels are built from it).
 */
export async function openServerBackedHarness(): Promise<ServerBackedHarness> {
  const server = await startViwoServer();
  const harness = await openHarness({ panels: true, backend: server.base });
  await harness.page.waitForFunction(
    () =>
      (
        window as unknown as { __workbench: { capabilities(): unknown[] } }
      ).__workbench.capabilities().length > 0,
    undefined,
    { timeout: 60_000 },
  );
  return {
    server,
    harness,
    page: harness.page,
    async close() {
      await harness.close();
      await server.stop();
    },
  };
}
