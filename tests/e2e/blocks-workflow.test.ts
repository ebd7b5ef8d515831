/**
 * Blocks Mode against the real server (real plugins, real ESRGAN upscaler) in Debian's Chromium:
 * the toolbox offers a block for every capability method the server reports, and an upscale
 * workflow built from blocks runs to a result image.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import sharp from 'sharp';

const ROOT = resolve(import.meta.dir, '../..');
const CHROMIUM = '/usr/bin/chromium';
const SERVER_CLI = join(ROOT, 'apps/server/src/cli.ts');
const missing = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is not installed`
  : !existsSync(SERVER_CLI)
    ? `${SERVER_CLI} does not exist yet`
    : !existsSync(join(ROOT, 'apps/imagegen/vite.config.ts'))
      ? 'the app shell (apps/imagegen/vite.config.ts) does not exist yet'
      : undefined;
if (missing) console.warn(`skipping Blocks Mode server tests: ${missing}`);

let dataDir = '';
let server: ReturnType<typeof Bun.spawn> | undefined;
let base = '';
let browser: Browser | undefined;
let page: Page;

async function freePort(): Promise<number> {
  const probe = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() });
  const port = probe.port;
  probe.stop(true);
  return port!;
}

async function rpc(method: string, params?: unknown): Promise<unknown> {
  const socket = new WebSocket(`${base.replace('http', 'ws')}/rpc`);
  await new Promise((ready, fail) => {
    socket.onopen = ready;
    socket.onerror = fail;
  });
  try {
    return await new Promise((done, fail) => {
      socket.onmessage = (event) => {
        const message = JSON.parse(String(event.data));
        if (message.id !== 1) return;
        if (message.error) fail(new Error(JSON.stringify(message.error)));
        else done(message.result);
      };
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
    });
  } finally {
    socket.close();
  }
}

/** Opens Blocks Mode in the app shell (its mode switch names the mode). */
async function openBlocksMode(target: Page): Promise<void> {
  if (!(await target.locator('[data-testid="blocks-mode"]').isVisible())) {
    await target
      .getByRole('button', { name: /^blocks/i })
      .first()
      .click();
  }
  await target.waitForSelector(
    '[data-testid="blocks-mode"] .blocklyToolbox, [data-testid="blocks-mode"] .blocklyToolboxDiv',
    {
      timeout: 60_000,
    },
  );
}

beforeAll(async () => {
  if (missing) return;
  if (!existsSync(join(ROOT, 'apps/imagegen/dist/index.html'))) {
    const built = Bun.spawnSync(['bun', 'run', 'build'], {
      cwd: join(ROOT, 'apps/imagegen'),
      stdout: 'inherit',
      stderr: 'inherit',
    });
    if (built.exitCode !== 0) throw new Error('client build failed');
  }
  dataDir = mkdtempSync(join(tmpdir(), 'viwo-blocks-e2e-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = Bun.spawn(['bun', SERVER_CLI, 'serve', '--port', String(port), '--host', '127.0.0.1'], {
    cwd: ROOT,
    env: { ...process.env, VIWO_DATA: dataDir, VIWO_EP: 'cpu' },
    stdout: 'inherit',
    stderr: 'inherit',
  });
  for (let attempt = 0; ; attempt++) {
    try {
      if ((await fetch(`${base}/`)).ok) break;
    } catch {
      // not listening yet
    }
    if (attempt > 600) throw new Error('server did not start within 60 s');
    await Bun.sleep(100);
  }
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
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(base);
  await openBlocksMode(page);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  server?.kill();
  await server?.exited;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(missing !== undefined)('Blocks Mode with the real server', () => {
  test('the toolbox contains a block for every capability method the server reports', async () => {
    const metadata = (await rpc('get_capability_metadata')) as {
      type: string;
      methods: { name: string }[];
    }[];
    const expected = metadata.flatMap((capability) =>
      capability.methods.map((method) => `viwo_cap:${capability.type}.${method.name}`),
    );
    expect(expected.length).toBeGreaterThan(0);
    const offered = await page.evaluate(() => {
      const hook = (
        globalThis as unknown as { viwoBlocks: { workspace: import('blockly/core').WorkspaceSvg } }
      ).viwoBlocks;
      const toolbox = hook.workspace.getToolbox() as import('blockly/core').Toolbox;
      const types: string[] = [];
      for (const item of toolbox.getToolboxItems()) {
        const category = item as import('blockly/core').ToolboxCategory;
        if (typeof category.getName !== 'function' || category.getName() === 'Variables') continue;
        toolbox.setSelectedItem(category);
        for (const block of toolbox.getFlyout()?.getWorkspace().getTopBlocks(false) ?? [])
          types.push(block.type);
      }
      toolbox.clearSelection();
      return types;
    });
    for (const type of expected) expect(offered).toContain(type);
  });

  test('an upscale workflow built from blocks runs to a result image', async () => {
    const png = await sharp({
      create: { width: 24, height: 16, channels: 3, background: { r: 40, g: 120, b: 200 } },
    })
      .png()
      .toBuffer();
    const uploaded = (await (
      await fetch(`${base}/images`, { method: 'POST', body: new Uint8Array(png) })
    ).json()) as {
      $image: string;
      width: number;
      height: number;
    };
    await page.evaluate((image) => {
      const hook = (
        globalThis as unknown as {
          viwoBlocks: {
            Blockly: typeof import('blockly/core');
            workspace: import('blockly/core').WorkspaceSvg;
          };
        }
      ).viwoBlocks;
      hook.workspace.clear();
      hook.Blockly.serialization.blocks.append(
        {
          type: 'viwo_cap:upscale.upscale',
          inputs: {
            ARG_image: { block: { type: 'viwo_raw', fields: { JSON: JSON.stringify(image) } } },
            'options.factor': { block: { type: 'viwo_lit_number', fields: { VALUE: 2 } } },
          },
        },
        hook.workspace,
      );
    }, uploaded);
    await page.click('[data-testid="blocks-run"]');
    const result = page.locator('[data-testid="result-image"]').first();
    await result.waitFor({ timeout: 120_000 });
    expect(await result.getAttribute('data-width')).toBe(String(uploaded.width * 2));
    expect(await result.getAttribute('data-height')).toBe(String(uploaded.height * 2));
    const hash = await result.getAttribute('data-hash');
    const served = await fetch(`${base}/images/${hash}.png`);
    expect(served.ok).toBe(true);
    const meta = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([48, 32]);
  }, 180_000);
});
