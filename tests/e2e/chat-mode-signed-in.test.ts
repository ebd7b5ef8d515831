/**
 * Chat Mode for a signed-in user (a server with users): turn pictures come through the user's
 * token (object URLs), and the user's conversations are theirs.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { TestRpcClient } from '../server/rpc-client.ts';
import {
  type AppServer,
  browserMissing,
  launchBrowser,
  startAppServer,
} from './support/app-server.ts';

const CLI = join(resolve(import.meta.dir, '../..'), 'apps/server/src/cli.ts');

let server: AppServer;
let browser: Browser;
let page: Page;
const tokens: Record<string, string> = {};

/** `viwo users add NAME` beside the running server; returns the token. */
function addUser(name: string): string {
  const result = Bun.spawnSync([process.execPath, CLI, 'users', 'add', name], {
    env: { ...process.env, VIWO_DATA: server.dataDir },
  });
  if (result.exitCode !== 0) throw new Error(result.stderr.toString());
  return result.stdout.toString().trimEnd().split('\n').at(-1)!;
}

describe.skipIf(browserMissing !== undefined)('Chat Mode signed in (real Chromium)', () => {
  beforeAll(async () => {
    server = await startAppServer();
    tokens.carol = addUser('carol');
    tokens.dave = addUser('dave');
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.addInitScript(() =>
      localStorage.setItem(
        'viwo.imagegen.settings',
        JSON.stringify({ width: 64, height: 64, steps: 2 }),
      ),
    );
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("a signed-in user's turn pictures load through the token; others cannot see them", async () => {
    await page.goto(server.url);
    await page.getByLabel('Access token').fill(tokens.carol!);
    await page.click('[data-testid=sign-in-submit]');
    await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")');
    await page.getByRole('button', { name: 'Chat', exact: true }).click();
    await page.fill('[data-testid=chat-input]', 'a lighthouse on a cliff');
    await page.press('[data-testid=chat-input]', 'Enter');
    await page.waitForFunction(
      () => {
        const image = document.querySelector<HTMLImageElement>('[data-testid=chat-current-image]');
        return image !== null && image.naturalWidth === 64 && image.src.startsWith('blob:');
      },
      undefined,
      { timeout: 60_000 },
    );
    const thumbnails = await page
      .locator('[data-testid=chat-turn] img')
      .evaluateAll((images) => images.map((image) => (image as HTMLImageElement).naturalWidth));
    expect(thumbnails).toEqual([64]);
    const dave = await TestRpcClient.connect(
      `ws://127.0.0.1:${server.port}/rpc?token=${tokens.dave}`,
    );
    try {
      expect(await dave.call('conversations.list', {})).toEqual([]);
    } finally {
      dave.close();
    }
  }, 120_000);
});
