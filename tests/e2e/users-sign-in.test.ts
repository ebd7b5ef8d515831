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
const composite = (color: string) => [
  'std.seq',
  ['canvas.init', 8, 8, color],
  ['canvas.composite'],
];

let server: AppServer;
let browser: Browser;
let page: Page;
const tokens: Record<string, string> = {};

/** `viwo users add NAME` in its own process, beside the running server; returns the token. */
function addUser(name: string, ...flags: string[]): string {
  const result = Bun.spawnSync([process.execPath, CLI, 'users', 'add', name, ...flags], {
    env: { ...process.env, VIWO_DATA: server.dataDir },
  });
  if (result.exitCode !== 0) throw new Error(result.stderr.toString());
  return result.stdout.toString().trimEnd().split('\n').at(-1)!;
}

describe.skipIf(browserMissing !== undefined)('signing in (real Chromium)', () => {
  beforeAll(async () => {
    server = await startAppServer();
    tokens.alice = addUser('alice');
    tokens.bob = addUser('bob');
    tokens.root = addUser('root', '--admin');
    const bob = await TestRpcClient.connect(
      `ws://127.0.0.1:${server.port}/rpc?token=${tokens.bob}`,
    );
    await bob.call('execute_script', { script: composite('#0000ff') });
    bob.close();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the server demands a token: the sign-in screen refuses a wrong one', async () => {
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=sign-in]');
    expect(await page.locator('[data-testid=connection-state]').count()).toBe(0);
    await page.getByLabel('Access token').fill('viwo_not-a-real-token');
    await page.click('[data-testid=sign-in-submit]');
    await page.waitForSelector('[data-testid=sign-in-error]');
    expect(await page.textContent('[data-testid=sign-in-error]')).toContain('not accepted');
  });

  test("a right token connects, shows who is signed in, and only that user's images", async () => {
    await page.getByLabel('Access token').fill(tokens.alice!);
    await page.click('[data-testid=sign-in-submit]');
    await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")');
    expect(await page.textContent('[data-testid=account-name]')).toBe('alice');
    expect(await page.getAttribute('[data-testid=account-name]', 'title')).toContain(
      'compute per job unlimited',
    );
    expect(await page.evaluate(() => localStorage.getItem('viwo.token'))).toBe(tokens.alice!);

    await page.evaluate(
      (script) =>
        (
          window as unknown as {
            __viwo: { rpc: { call(m: string, p: unknown): Promise<unknown> } };
          }
        ).__viwo.rpc.call('execute_script', { script }),
      composite('#ff0000'),
    );
    await page.click('[data-testid=open-gallery]');
    await page.waitForFunction(() => {
      const images = [...document.querySelectorAll('.viwo-gallery-images img')];
      return (
        images.length > 0 && images.every((image) => (image as HTMLImageElement).naturalWidth === 8)
      );
    });
    // Alice sees her one entry, not bob's; its image came with the Bearer header (an object URL).
    expect(await page.locator('[data-testid="gallery-entry"]').count()).toBe(1);
    const source = await page.locator('.viwo-gallery-images img').first().getAttribute('src');
    expect(source).toMatch(/^blob:/);
    // Without the Bearer header the same image is refused: the page really rides on the token.
    const statuses = await page.evaluate(async (token) => {
      const rpc = (window as unknown as { __viwo: { rpc: { call(m: string): Promise<unknown> } } })
        .__viwo.rpc;
      const [entry] = (await rpc.call('history.list')) as { images: { $image: string }[] }[];
      const path = `/images/${entry!.images[0]!.$image}.png`;
      const bare = await fetch(path);
      const withQuery = await fetch(`${path}?token=${token}`);
      const signed = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
      return [bare.status, withQuery.status, signed.status];
    }, tokens.alice!);
    expect(statuses).toEqual([401, 401, 200]);
  });

  test("signed in, Chat Mode's pictures load through the token too", async () => {
    await page.getByRole('button', { name: 'Chat', exact: true }).click();
    await page.fill('[data-testid=chat-input]', 'a red barn');
    await page.press('[data-testid=chat-input]', 'Enter');
    await page.waitForFunction(
      () => {
        const image = document.querySelector(
          '[data-testid=chat-current-image]',
        ) as HTMLImageElement | null;
        return (image?.src.startsWith('blob:') ?? false) && image!.naturalWidth > 1;
      },
      undefined,
      { timeout: 60_000 },
    );
  }, 90_000);

  test('the token survives a reload; signing out brings the sign-in screen back', async () => {
    await page.reload();
    await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")');
    expect(await page.textContent('[data-testid=account-name]')).toBe('alice');
    await page.click('[data-testid=sign-out]');
    await page.waitForSelector('[data-testid=sign-in]');
    expect(await page.evaluate(() => localStorage.getItem('viwo.token'))).toBeNull();
  });

  test('a sign-in link (/?token=…) signs in and leaves no token in the address bar', async () => {
    await page.goto(`${server.url}/?token=${encodeURIComponent(tokens.bob!)}`);
    await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")');
    expect(await page.textContent('[data-testid=account-name]')).toBe('bob');
    expect(page.url()).not.toContain('token');
  });

  test("an admin's queue panel shows another user's item with its owner's name", async () => {
    const connect = (token: string) =>
      TestRpcClient.connect(`ws://127.0.0.1:${server.port}/rpc?token=${token}`);
    const bob = await connect(tokens.bob!);
    const root = await connect(tokens.root!);
    // Paused, so both items stay queued while the panel is looked at.
    await root.call('queue.pause');
    const queue = (token: TestRpcClient, prompt: string) =>
      token.call('queue.submit', { script: composite('#00ff00'), meta: { prompt } });
    await queue(bob, 'bob in the queue');
    await queue(root, 'the admin in the queue');
    bob.close();
    root.close();

    await page.goto(`${server.url}/?token=${encodeURIComponent(tokens.root!)}`);
    await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")');
    await page.click('[data-testid=open-queue]');
    const items = page.locator('[data-testid=queue-item]');
    await items.nth(1).waitFor();
    const bobs = items.filter({ hasText: 'bob in the queue' });
    expect(await bobs.locator('[data-testid=queue-owner]').textContent()).toBe('bob');
    // The admin's own item carries no name: only other users' items are labelled.
    const own = items.filter({ hasText: 'the admin in the queue' });
    expect(await own.locator('[data-testid=queue-owner]').count()).toBe(0);
    // And the admin may cancel bob's item from the panel.
    await bobs.locator('[data-testid=queue-cancel]').click();
    await page.waitForSelector('[data-testid=queue-item][data-status=cancelled]:has-text("bob")');
    expect(await page.locator('[data-testid=queue-resume]').count()).toBe(1);
  });

  test("a non-admin's queue panel offers no pause: pausing would stop every user's jobs", async () => {
    await page.goto(`${server.url}/?token=${encodeURIComponent(tokens.bob!)}`);
    await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")');
    await page.click('[data-testid=open-queue]');
    await page.waitForSelector('[data-testid=queue-clear]');
    expect(
      await page.locator('[data-testid=queue-pause], [data-testid=queue-resume]').count(),
    ).toBe(0);
  });
});
