/**
 * What ComfyUI/InvokeAI users expect first: prompt history (↑/↓ recall, a list, kept across
 * reloads), copying a gallery entry's parameters into the generate panel, and `?` shortcut help.
 */
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

const prompt = () => page.inputValue('[data-testid=prompt]');

async function generate(text: string): Promise<void> {
  await page.fill('[data-testid=prompt]', text);
  const before = await page.locator('[data-testid^="layer-gen-"]').count();
  await page.click('[data-testid=generate]');
  await page.waitForFunction(
    (count) => document.querySelectorAll('[data-testid^="layer-gen-"]').length > count,
    before,
    { timeout: 60_000 },
  );
}

describe.skipIf(Boolean(browserMissing))('prompt history, parameters, shortcut help', () => {
  beforeAll(async () => {
    server = await startAppServer();
    browser = await launchBrowser();
    page = await openApp(browser, server.url);
    await page.selectOption('[data-testid=mode]', 'txt2img');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('↑/↓ in the prompt box recall earlier prompts; the list survives a reload', async () => {
    await generate('alpha fox');
    await generate('beta fox');
    await page.fill('[data-testid=prompt]', '');
    await page.focus('[data-testid=prompt]');
    await page.keyboard.press('ArrowUp');
    expect(await prompt()).toBe('beta fox');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowUp');
    expect(await prompt()).toBe('alpha fox');
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowDown');
    expect(await prompt()).toBe('beta fox');
    await page.reload();
    await page.waitForSelector('[data-testid=prompt-history]');
    const listed = await page.locator('[data-testid=prompt-history] option').allTextContents();
    expect(listed).toContain('alpha fox');
    await page.selectOption('[data-testid=prompt-history]', 'alpha fox');
    expect(await prompt()).toBe('alpha fox');
  });

  test('"Use parameters" copies a gallery entry’s prompt and seed into the panel', async () => {
    await page.click('[data-testid=open-gallery]');
    const entry = page.locator('[data-testid=gallery-entry]', { hasText: 'beta fox' }).first();
    await entry.waitFor();
    const seedText = (await entry.textContent()) ?? '';
    const seed = /seed (\d+)/.exec(seedText)?.[1];
    await page.fill('[data-testid=prompt]', 'something else');
    await entry.locator('[data-testid=gallery-use-params]').click();
    expect(await prompt()).toBe('beta fox');
    expect(seed).toBeDefined();
    expect(await page.inputValue('[data-testid=opt-seed]')).toBe(seed!);
    expect(await page.textContent('[data-testid=seed-lock]')).toBe('locked');
    await page.keyboard.press('Escape');
  });

  test('the model picker shows the model really used and only models that fit the mode', async () => {
    const expected = (type: string, method: string) =>
      page.evaluate(
        ([capabilityType, methodName]) => {
          const viwo = (
            window as unknown as {
              __viwo: {
                workbench: {
                  capabilities(): {
                    type: string;
                    methods: {
                      name: string;
                      params: {
                        type: string;
                        fields?: { name: string; default?: unknown; options?: unknown[] }[];
                      }[];
                    }[];
                  }[];
                };
              };
            }
          ).__viwo;
          const field = viwo.workbench
            .capabilities()
            .find((capability) => capability.type === capabilityType)
            ?.methods.find((entry) => entry.name === methodName)
            ?.params.find((param) => param.type === 'object')
            ?.fields?.find((entry) => entry.name === 'model_id');
          return { options: (field?.options ?? []).map(String), default: field?.default };
        },
        [type, method],
      );
    const shown = () =>
      page
        .locator('[data-testid=opt-model_id] option')
        .evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
    for (const [mode, type, method] of [
      ['txt2img', 'diffusers.generate', 'textToImage'],
      ['inpaint', 'diffusers.inpaint', 'inpaint'],
    ] as const) {
      await page.selectOption('[data-testid=mode]', mode);
      const metadata = await expected(type, method);
      expect(await shown()).toEqual(metadata.options);
      if (metadata.default !== undefined)
        expect(await page.inputValue('[data-testid=opt-model_id]')).toBe(String(metadata.default));
    }
    await page.selectOption('[data-testid=mode]', 'txt2img');
    // Each model says what it is (family, native size, purpose, test or real).
    const labels = await page.locator('[data-testid=opt-model_id] option').allTextContents();
    expect(labels.some((label) => / — .*px.*·.*(test|real)/.test(label))).toBe(true);
  });

  test('? opens the shortcut help; Escape closes it', async () => {
    await page.click('[data-testid=canvas-viewport]');
    await page.keyboard.press('Shift+Slash');
    await page.waitForSelector('[data-testid=shortcut-help][role=dialog]');
    expect(await page.textContent('[data-testid=shortcut-help]')).toContain('Ctrl+Enter');
    await page.keyboard.press('Escape');
    expect(await page.locator('[data-testid=shortcut-help]').count()).toBe(0);
  });
});
