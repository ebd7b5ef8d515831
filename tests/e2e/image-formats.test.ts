import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { extractEmbeddedScript } from '../../apps/imagegen/src/extras/embedded-script.ts';
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

type Viwo = {
  __viwo: {
    workbench: {
      setScript(script: unknown): void;
      execute(script: unknown): Promise<{ result: { $image: string } }>;
    };
  };
};

const PROMPT = 'a lighthouse in fog';
const SCRIPT = [
  'std.call_method',
  ['get_capability', 'diffusers.generate'],
  'textToImage',
  PROMPT,
  { steps: 2, width: 64, height: 64, seed: 7 },
];

/** Clicks a download link or button and answers the downloaded bytes. */
async function download(selector: string): Promise<Uint8Array> {
  const pending = page.waitForEvent('download');
  await page.locator(selector).first().click();
  // A script loaded from a dropped file stays untrusted: running its export asks first.
  const trust = page.locator('[data-testid=trust-dialog]');
  const first = await Promise.race([
    pending.then(() => 'download' as const),
    trust.waitFor().then(() => 'dialog' as const),
  ]);
  if (first === 'dialog') await page.click('[data-testid=trust-confirm]');
  const file = await pending;
  return new Uint8Array(readFileSync((await file.path())!));
}

/** Drops a file on the app the way a user's drag from the desktop does. */
async function drop(bytes: Uint8Array, name: string, type: string): Promise<void> {
  await page.evaluate(
    ({ data, fileName, mime }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], fileName, { type: mime }));
      document
        .querySelector('[data-testid=canvas-overlay], main, body')!
        .dispatchEvent(
          new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }),
        );
    },
    { data: [...bytes], fileName: name, mime: type },
  );
}

/** The A1111 `parameters` text of an EXIF UserComment (`UNICODE\0` + UTF-16BE). */
function userComment(exif: Buffer): string {
  const at = exif.indexOf('UNICODE\0', 0, 'latin1');
  const units = exif.subarray(at + 8);
  let text = '';
  for (let index = 0; index + 1 < units.length; index += 2)
    text += String.fromCharCode((units[index]! << 8) | units[index + 1]!);
  return text;
}

describe.skipIf(Boolean(browserMissing))('PNG, JPEG and WebP export and drop (Chromium)', () => {
  beforeAll(async () => {
    server = await startAppServer();
    browser = await launchBrowser();
    page = await openApp(browser, server.url);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the gallery downloads all three formats; a dropped JPEG restores the script, untrusted', async () => {
    const image = await page.evaluate(
      async (script) =>
        (await (window as unknown as Viwo).__viwo.workbench.execute(script)).result.$image,
      SCRIPT,
    );
    await page.click('[data-testid=open-gallery]');
    await page.waitForSelector('[data-testid=gallery-download-jpg]');
    if (process.env.VIWO_SCREENSHOTS)
      await page.screenshot({ path: 'docs/screenshots/gallery-formats.png' });
    const png = await download('[data-testid=gallery-download-png]');
    const jpeg = await download('[data-testid=gallery-download-jpg]');
    const webp = await download('[data-testid=gallery-download-webp]');
    for (const [bytes, format] of [
      [png, 'png'],
      [jpeg, 'jpeg'],
      [webp, 'webp'],
    ] as const) {
      const metadata = await sharp(Buffer.from(bytes)).metadata();
      expect([metadata.format, metadata.width, metadata.height]).toEqual([format, 64, 64]);
      if (format !== 'png') {
        expect(userComment(metadata.exif!)).toContain(PROMPT);
        expect(metadata.xmp?.toString('utf8')).toContain('viwo:script');
      }
      expect(extractEmbeddedScript(bytes)).toMatchObject({ form: 'json', script: SCRIPT });
      if (format !== 'png')
        expect(extractEmbeddedScript(bytes)).toEqual(extractEmbeddedScript(png));
    }
    await page.click('[data-testid=open-gallery]');
    await page.click('button:has-text("Blocks")');
    await page.evaluate(() => (window as unknown as Viwo).__viwo.workbench.setScript(null));
    await drop(jpeg, 'lighthouse.jpg', 'image/jpeg');
    await page.waitForFunction(
      () =>
        (
          window as unknown as { __viwo: { workbench: { script(): unknown } } }
        ).__viwo.workbench.script() !== null,
    );
    // The job's recorded script (the model defaults the server filled in are recorded too).
    expect(await pageScript(page)).toMatchObject(SCRIPT);
    await page.click('[data-testid=blocks-run]');
    const dialog = page.locator('[role=dialog], dialog[open]').first();
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('diffusers.generate.textToImage');
    await page.click('[data-testid=trust-confirm]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="blocks-status"]')?.textContent?.includes('done'),
      undefined,
      { timeout: 120_000 },
    );
    const rerun = await page.locator('[data-testid="result-image"]').first().getAttribute('src');
    expect(rerun).toContain(image);
  }, 240_000);

  test('Layer Mode exports JPEG and WebP carrying the canvas script; dropping the WebP restores it', async () => {
    await page.click('button:has-text("Layers")');
    const canvas = [
      'std.seq',
      ['canvas.init', 96, 64, '#ffffff'],
      ['canvas.layer.create', 'layer-1', 'Layer 1', 'raster'],
      [
        'canvas.draw_stroke',
        'layer-1',
        [
          'std.quote',
          [
            [10, 10],
            [80, 50],
          ],
        ],
        '#cc2200',
        12,
        'brush',
      ],
    ];
    await page.evaluate(
      (script) => (window as unknown as Viwo).__viwo.workbench.setScript(script),
      canvas,
    );
    await page.waitForSelector('[data-testid=export-webp]');
    const jpeg = await download('[data-testid=export-jpg]');
    const webp = await download('[data-testid=export-webp]');
    for (const [bytes, format] of [
      [jpeg, 'jpeg'],
      [webp, 'webp'],
    ] as const) {
      const metadata = await sharp(Buffer.from(bytes)).metadata();
      expect([metadata.format, metadata.width, metadata.height]).toEqual([format, 96, 64]);
      const { data } = await sharp(Buffer.from(bytes)).raw().toBuffer({ resolveWithObject: true });
      // The stroke is in the pixels (reddish at its middle), the background stays white.
      const at = (x: number, y: number) => [
        ...data.subarray((y * 96 + x) * 3, (y * 96 + x) * 3 + 3),
      ];
      expect(at(45, 30)[0]!).toBeGreaterThan(150);
      expect(at(45, 30)[2]!).toBeLessThan(80);
      expect(Math.min(...at(90, 5))).toBeGreaterThan(230);
      expect(extractEmbeddedScript(bytes)).toEqual({ form: 'json', script: canvas });
    }
    await page.evaluate(() =>
      (window as unknown as Viwo).__viwo.workbench.setScript([
        'std.seq',
        ['canvas.init', 32, 32, '#000000'],
      ]),
    );
    await drop(webp, 'canvas.webp', 'image/webp');
    await page.waitForFunction(() =>
      JSON.stringify(
        (
          window as unknown as { __viwo: { workbench: { script(): unknown } } }
        ).__viwo.workbench.script(),
      ).includes('#cc2200'),
    );
    expect(await pageScript(page)).toEqual(canvas);
  }, 120_000);
});
