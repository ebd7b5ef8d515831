/**
 * Issue 14 defect 11 and image input: wheel zoom keeps the point under the cursor, Fit resets the
 * view, the opacity slider keeps keyboard focus, images dropped anywhere (no drawer open) or
 * pasted become layers, and a PNG made here opens its workflow.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { canvasOperations } from '@viwo/canvas';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { embedScriptInPng } from '../../apps/imagegen/src/templates/png-script.ts';
import {
  type AppServer,
  browserMissing,
  launchBrowser,
  openApp,
  pageScript,
  startAppServer,
} from './support/app-server.ts';

let server: AppServer;
let browser: Browser;
let page: Page;

/** The canvas pixel under a screen point. */
const pixelAt = (x: number, y: number) =>
  page.evaluate(
    ([px, py]) => {
      const canvas = document.querySelector('[data-testid=canvas]') as HTMLCanvasElement;
      const rect = canvas.getBoundingClientRect();
      return [
        ((px! - rect.left) * canvas.width) / rect.width,
        ((py! - rect.top) * canvas.height) / rect.height,
      ];
    },
    [x, y],
  );

/** Dispatches a drop (or paste) of `bytes` as a file on the window. */
const sendFile = (kind: 'drop' | 'paste', bytes: Uint8Array, name: string) =>
  page.evaluate(
    ([eventKind, data, fileName]) => {
      const transfer = new DataTransfer();
      transfer.items.add(
        new File([new Uint8Array(data as number[])], fileName as string, { type: 'image/png' }),
      );
      const event =
        eventKind === 'drop'
          ? new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true })
          : new ClipboardEvent('paste', {
              clipboardData: transfer,
              bubbles: true,
              cancelable: true,
            });
      window.dispatchEvent(event);
    },
    [kind, [...bytes], name] as const,
  );

const plainPng = async (color: string) =>
  new Uint8Array(
    await sharp({ create: { width: 48, height: 32, channels: 3, background: color } })
      .png()
      .toBuffer(),
  );

describe.skipIf(Boolean(browserMissing))('canvas interactions', () => {
  beforeAll(async () => {
    server = await startAppServer();
    browser = await launchBrowser();
    page = await openApp(browser, server.url);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('wheel zoom keeps the canvas point under the cursor; Fit resets', async () => {
    const box = (await page.locator('[data-testid=canvas]').boundingBox())!;
    const cursor = [box.x + box.width * 0.2, box.y + box.height * 0.3] as const;
    const before = await pixelAt(...cursor);
    await page.mouse.move(...cursor);
    await page.mouse.wheel(0, -300);
    await page.waitForFunction(
      () => document.querySelector('[data-testid=zoom-level]')?.textContent !== '100%',
    );
    const after = await pixelAt(...cursor);
    expect(Math.abs(after[0]! - before[0]!)).toBeLessThan(2);
    expect(Math.abs(after[1]! - before[1]!)).toBeLessThan(2);
    await page.click('[data-testid=zoom-fit]');
    expect(await page.textContent('[data-testid=zoom-level]')).toBe('100%');
  });

  test('the opacity slider keeps focus while stepped with the keyboard', async () => {
    const slider = page.locator('[data-testid^="opacity-"]').first();
    await slider.focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    expect(
      await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? ''),
    ).toStartWith('opacity-');
    const updates = canvasOperations(await pageScript(page)).filter(
      (operation) => operation[0] === 'canvas.layer.update',
    );
    expect(updates.at(-1)?.[2]).toEqual({ opacity: 0.9 });
  });

  test('an image dropped anywhere or pasted becomes a layer', async () => {
    const layers = () => page.locator('[data-testid^="layer-image"]').count();
    await sendFile('drop', await plainPng('#ff0000'), 'red.png');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid^="layer-image"]').length === 1,
    );
    await sendFile('paste', await plainPng('#00ff00'), 'green.png');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid^="layer-image"]').length === 2,
    );
    expect(await layers()).toBe(2);
  });

  test('a PNG made here opens its workflow from anywhere, untrusted and undoable', async () => {
    const mine = await pageScript(page);
    const workflow = [
      'std.seq',
      ['canvas.init', 96, 64, '#000000'],
      ['canvas.layer.create', 'l', 'L', 'raster'],
    ];
    await sendFile('drop', embedScriptInPng(await plainPng('#0000ff'), workflow), 'flow.png');
    // The canvas holds layers: the app asks before replacing it.
    await page.click('[data-testid=replace-confirm]');
    await page.waitForFunction(() =>
      JSON.stringify(
        (
          window as unknown as { __viwo: { workbench: { script(): unknown } } }
        ).__viwo.workbench.script(),
      ).includes('"canvas.init",96,64'),
    );
    expect(
      await page.evaluate(() =>
        (
          window as unknown as { __viwo: { canvas: { untrusted(): string | null } } }
        ).__viwo.canvas.untrusted(),
      ),
    ).toBe('image flow.png');
    await page.click('[data-testid=undo]');
    expect(await pageScript(page)).toEqual(mine);
  });

  test('a JPEG served by this app opens its workflow when dropped', async () => {
    const hash = await page.evaluate(async () => {
      const viwo = (
        window as unknown as {
          __viwo: { workbench: { execute(s: unknown): Promise<{ result: { $image: string } }> } };
        }
      ).__viwo;
      const outcome = await viwo.workbench.execute([
        'std.call_method',
        ['get_capability', 'diffusers.generate'],
        'textToImage',
        'a jpeg fox',
        { seed: 11, steps: 1, width: 64, height: 64 },
      ]);
      return outcome.result.$image;
    });
    const jpeg = new Uint8Array(
      await (await fetch(`${server.url}/images/${hash}.jpg`)).arrayBuffer(),
    );
    await page.evaluate(
      ([data]) => {
        const transfer = new DataTransfer();
        transfer.items.add(
          new File([new Uint8Array(data as number[])], 'fox.jpg', { type: 'image/jpeg' }),
        );
        window.dispatchEvent(
          new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }),
        );
      },
      [[...jpeg]] as const,
    );
    await page.click('[data-testid=replace-confirm]');
    await page.waitForFunction(() =>
      JSON.stringify(
        (
          window as unknown as { __viwo: { workbench: { script(): unknown } } }
        ).__viwo.workbench.script(),
      ).includes('a jpeg fox'),
    );
  });
});
