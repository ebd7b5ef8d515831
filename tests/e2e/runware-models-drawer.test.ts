/**
 * The Models drawer's "Runware (cloud)" section in Chromium, along the user's path against the
 * real `viwo serve` and the Runware stand-in: one line while no key is set (and nothing reaches
 * Runware), the key set in Settings, the popular models, a search, an inline error, and "Use"
 * switching Layer Mode's backend to Runware with that AIR id — at 1024×700, with every request
 * on the app's own origin.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { POPULAR_MODELS } from '@viwo/plugin-runware';
import { type RunwareStandIn, startRunwareStandIn } from '@viwo/plugin-runware/testing';
import type { Browser, Page } from 'playwright-core';
import {
  type AppServer,
  browserMissing,
  launchBrowser,
  openApp,
  startAppServer,
} from './support/app-server.ts';

const KEY = 'e2e-models-key-0123456789';
let standIn: RunwareStandIn;
let server: AppServer;
let browser: Browser;
let page: Page;
const offOrigin: string[] = [];

/** With VIWO_SCREENSHOTS set, saves what the user sees at this step into docs/screenshots. */
async function shot(name: string): Promise<void> {
  if (process.env.VIWO_SCREENSHOTS) await page.screenshot({ path: `docs/screenshots/${name}.png` });
}

const searches = () => standIn.received.filter((entry) => entry.task.taskType === 'modelSearch');

async function openModels(): Promise<void> {
  if ((await page.locator('[data-testid=models-panel]').count()) === 0) {
    await page.click('[data-testid=open-models]');
  }
  await page.waitForSelector('[data-testid=models-panel]');
}

async function closeDrawer(): Promise<void> {
  await page.keyboard.press('Escape');
  await page.waitForSelector('[data-testid=drawer]', { state: 'detached' });
}

describe.skipIf(Boolean(browserMissing))('Runware models in the Models drawer (Chromium)', () => {
  beforeAll(async () => {
    standIn = startRunwareStandIn({ apiKeys: [KEY] });
    // No key at start (an empty RUNWARE_API_KEY counts as none): the user sets it in Settings.
    server = await startAppServer({ env: { VIWO_RUNWARE_URL: standIn.url, RUNWARE_API_KEY: '' } });
    browser = await launchBrowser();
    page = await openApp(browser, server.url);
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(`${server.url}/`) && !/^(data|blob):/.test(url)) offOrigin.push(url);
    });
    await page.setViewportSize({ width: 1024, height: 700 });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await standIn?.stop();
  });

  test('without a key: one line pointing to Settings, nothing sent to Runware', async () => {
    await openModels();
    const line = page.locator('[data-testid=runware-models-no-key]');
    await line.waitFor();
    expect(await line.textContent()).toContain('once a Runware API key is set in Settings');
    expect(await page.locator('[data-testid=runware-models]').count()).toBe(0);
    expect(standIn.connections()).toBe(0);
    await shot('runware-models-no-key');
    await closeDrawer();
  });

  test('with a key set in Settings: popular models, a search, Use → Layer Mode on Runware', async () => {
    await page.click('[data-testid=open-settings]');
    await page.fill('[data-testid=runware-key-input]', KEY);
    await page.click('[data-testid=runware-key-save]');
    await page.waitForSelector('[data-testid=runware-key-message]:has-text("Key saved")');
    await page.click('[data-testid=open-models]');
    await page.waitForSelector('[data-testid=runware-models-summary]:has-text("Popular models")');
    const rows = page.locator('[data-testid=runware-model-row]');
    expect(await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-air')))).toEqual(
      POPULAR_MODELS.map((model) => model.id),
    );
    expect(searches()).toHaveLength(0); // the popular list needs no search
    await page.locator('[data-testid=runware-models]').scrollIntoViewIfNeeded();
    await shot('runware-models-popular');

    // Typing searches after a pause (no Enter): the stand-in sees Runware's modelSearch.
    const box = page.locator('[data-testid=runware-models-search]');
    await box.scrollIntoViewIfNeeded();
    await box.pressSequentially('juggernaut');
    await page.waitForSelector('[data-testid=runware-models-summary]:has-text("1 model matches")');
    expect(searches().at(-1)!.task).toMatchObject({ search: 'juggernaut', limit: 20 });
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('sdxl · checkpoint · vXI');

    // A failing search shows its error inline (Enter searches at once); the key is never shown.
    standIn.inject('modelSearch', 'echo-key');
    await box.fill('flux');
    await box.press('Enter');
    const error = page.locator('[data-testid=runware-models-error]');
    await error.waitFor();
    expect(await error.textContent()).toContain('Could not search for “flux”');
    expect(await rows.count()).toBe(0); // no list from an earlier search under the error
    expect(await page.content()).not.toContain(KEY);
    await shot('runware-models-error');
    // The next search clears it; LoRAs and ControlNets cannot be the base model.
    await box.fill('photorealistic');
    await box.press('Enter');
    await page.waitForSelector('[data-testid=runware-models-summary]:has-text("4 models match")');
    expect(await error.count()).toBe(0);
    const lora = page.locator('[data-testid=runware-model-row][data-air="civitai:58390@62833"]');
    expect(await lora.locator('[data-testid=runware-model-use]').isDisabled()).toBe(true);

    // At 1024×700 the row's Use button is reachable inside the drawer.
    await box.fill('juggernaut');
    await box.press('Enter');
    await page.waitForSelector('[data-testid=runware-models-summary]:has-text("1 model matches")');
    const use = page.locator(
      '[data-testid=runware-model-row][data-air="civitai:133005@782002"] [data-testid=runware-model-use]',
    );
    await use.scrollIntoViewIfNeeded();
    const drawer = (await page.locator('[data-testid=drawer]').boundingBox())!;
    const button = (await use.boundingBox())!;
    expect(button.x + button.width).toBeLessThanOrEqual(drawer.x + drawer.width);
    expect(button.y + button.height).toBeLessThanOrEqual(700);
    await shot('runware-models-search');
    await use.click();

    // Layer Mode shows the Runware backend with that model in its field.
    await page.waitForSelector('[data-testid=drawer]', { state: 'detached' });
    expect(await page.locator('[data-testid=backend-runware]').isChecked()).toBe(true);
    expect(await page.locator('[data-testid=runware-model]').inputValue()).toBe(
      'civitai:133005@782002',
    );
    await shot('runware-models-used');
    expect(offOrigin).toEqual([]);
  });
});
