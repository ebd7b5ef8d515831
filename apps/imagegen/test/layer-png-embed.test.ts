import { expect, test } from 'bun:test';
import sharp from 'sharp';
import { embedScriptInPng } from '../src/layer/png-embed.ts';
import { extractPngScript } from '../src/templates/png-script.ts';

test('an exported PNG carries its script and stays a valid image', async () => {
  const png = new Uint8Array(
    await sharp({ create: { width: 4, height: 3, channels: 4, background: '#ff000080' } })
      .png()
      .toBuffer(),
  );
  const script = [
    'std.seq',
    ['canvas.init', 4, 3, '#ffffff'],
    ['canvas.layer.create', 'a', 'Café ✓', 'raster'],
  ];
  const embedded = embedScriptInPng(png, script);
  expect(extractPngScript(embedded)).toMatchObject({ form: 'json', script });
  const metadata = await sharp(Buffer.from(embedded)).metadata();
  expect([metadata.width, metadata.height]).toEqual([4, 3]);
  const pixels = await sharp(Buffer.from(embedded)).raw().toBuffer();
  expect(Array.from(pixels.subarray(0, 4))).toEqual([255, 0, 0, 128]);
});
