import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Browser, Page } from 'playwright-core';
import {
  type AppServer,
  browserMissing,
  launchBrowser,
  openApp,
  startAppServer,
} from './support/app-server.ts';

let server: AppServer;
let browser: Browser;
let page: Page;

describe.skipIf(Boolean(browserMissing))(
  'offline shell (web app manifest + service worker)',
  () => {
    beforeAll(async () => {
      server = await startAppServer();
      browser = await launchBrowser();
      page = await openApp(browser, server.url);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    test('the app is installable: manifest with icons and theme colour', async () => {
      const link = await page.getAttribute('link[rel=manifest]', 'href');
      expect(link).toBe('/manifest.webmanifest');
      const response = await fetch(`${server.url}/manifest.webmanifest`);
      expect(response.headers.get('content-type')).toContain('application/manifest+json');
      const manifest = (await response.json()) as { icons: { src: string }[]; theme_color: string };
      expect(manifest.theme_color).toMatch(/^#/);
      for (const icon of manifest.icons) {
        const image = await fetch(`${server.url}${icon.src}`);
        expect(image.headers.get('content-type')).toBe('image/png');
      }
    });

    test('the worker precaches this build only, and never RPC or image responses', async () => {
      await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
      const { version } = (await (await fetch(`${server.url}/offline-manifest.json`)).json()) as {
        version: string;
      };
      const cached = await page.evaluate(async () => {
        const names = await caches.keys();
        const entries: string[] = [];
        for (const name of names) {
          const cache = await caches.open(name);
          for (const request of await cache.keys()) entries.push(new URL(request.url).pathname);
        }
        return { names, entries };
      });
      expect(cached.names).toEqual([`viwo-shell-${version}`]);
      expect(cached.entries).toContain('/');
      expect(cached.entries.some((path) => path.startsWith('/assets/'))).toBe(true);
      expect(cached.entries.filter((path) => /^\/(rpc|images|videos|health)/.test(path))).toEqual(
        [],
      );
    });

    test('with the server down the app still opens and says it is reconnecting', async () => {
      // The worker controls pages loaded after it activated.
      await page.reload();
      await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")');
      expect(await page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
      await server.kill();
      await page.reload();
      await page.waitForSelector('[data-testid=connection-state]:has-text("Reconnecting")');
      expect(await page.locator('button', { hasText: 'Layers' }).count()).toBeGreaterThan(0);
      await server.restart();
      await page.waitForSelector('[data-testid=connection-state]:has-text("Connected")', {
        timeout: 60_000,
      });
    });
  },
);
