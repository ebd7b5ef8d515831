import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium; browser tests skip with this reason when it is missing. */
export const CHROMIUM = '/usr/bin/chromium';
export const browserMissing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed`;

const ROOT = resolve(import.meta.dir, '../../..');
const CLI = join(ROOT, 'apps/server/src/cli.ts');

/** A real `viwo serve` child process (all plugins, built client) on a free port. */
export interface AppServer {
  url: string;
  port: number;
  dataDir: string;
  /** Kills the process (SIGKILL when `hard`), keeping the data dir for a restart. */
  kill(hard?: boolean): Promise<void>;
  /** Starts it again on the same port and data dir. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = Bun.serve({ port: 0, fetch: () => new Response('') });
  const port = probe.port!;
  probe.stop(true);
  return port;
}

async function waitHealthy(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {}
    await Bun.sleep(200);
  }
  throw new Error(`server at ${url} did not become healthy`);
}

/** Newest modification time of the files under `path` (0 when it does not exist). */
function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** The built client is missing or older than a source it bundles (so tests never run stale UI). */
function clientBuildStale(): boolean {
  const built = newestMtime(join(ROOT, 'apps/imagegen/dist/index.html'));
  if (built === 0) return true;
  const sources = ['apps/imagegen/src', 'apps/imagegen/index.html', 'packages/canvas/src'];
  return sources.some((source) => newestMtime(join(ROOT, source)) > built);
}

/** Builds the client when it is missing or stale, then starts the server (with extra `env`). */
export async function startAppServer(
  options: { env?: Record<string, string> } = {},
): Promise<AppServer> {
  if (clientBuildStale()) {
    const build = Bun.spawnSync(['bun', 'run', 'build'], { cwd: join(ROOT, 'apps/imagegen') });
    if (build.exitCode !== 0) throw new Error(`client build failed: ${build.stderr.toString()}`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'viwo-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ReturnType<typeof Bun.spawn> | undefined;
  const launch = async () => {
    child = Bun.spawn([process.execPath, CLI, 'serve', '--port', String(port)], {
      env: { ...process.env, ...options.env, VIWO_DATA: dataDir },
      stdout: 'ignore',
      stderr: 'ignore',
    });
    await waitHealthy(url);
  };
  await launch();
  const kill = async (hard = false) => {
    child?.kill(hard ? 'SIGKILL' : 'SIGTERM');
    await child?.exited;
  };
  return {
    url,
    port,
    dataDir,
    kill,
    restart: launch,
    async stop() {
      await kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Launches headless Chromium with the flags this machine needs (plus any `extraArgs`). */
export function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      ...extraArgs,
    ],
  });
}

/** Opens the app and waits until it is connected and has metadata. */
export async function openApp(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(url);
  await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")');
  await page.waitForSelector('[data-testid=generate]');
  return page;
}

/** The shared script as the page holds it. */
export function pageScript(page: Page): Promise<unknown> {
  return page.evaluate(() =>
    (
      window as unknown as { __viwo: { workbench: { script(): unknown } } }
    ).__viwo.workbench.script(),
  );
}

/** Drags the mouse across the canvas overlay through points given in canvas pixels. */
export async function dragOnCanvas(page: Page, points: [number, number][]): Promise<void> {
  const box = await page.locator('[data-testid=canvas-overlay]').boundingBox();
  const size = await page
    .locator('[data-testid=canvas]')
    .evaluate((canvas) => [
      (canvas as HTMLCanvasElement).width,
      (canvas as HTMLCanvasElement).height,
    ]);
  if (!box) throw new Error('canvas not visible');
  const toScreen = ([x, y]: [number, number]) =>
    [box.x + (x / size[0]!) * box.width, box.y + (y / size[1]!) * box.height] as const;
  const [startX, startY] = toScreen(points[0]!);
  await page.mouse.move(startX, startY);
  await page.mouse.down();
  for (const point of points.slice(1)) {
    const [x, y] = toScreen(point);
    await page.mouse.move(x, y, { steps: 4 });
  }
  await page.mouse.up();
}
