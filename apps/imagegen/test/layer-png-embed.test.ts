import { expect, test } from 'bun:test';
import sharp from 'sharp';
import { embedScriptInPng, extractPngScript } from '../src/templates/png-script.ts';

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

test('backslashes and escape-like text in the script survive export and import', async () => {
  const png = new Uint8Array(
    await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } })
      .png()
      .toBuffer(),
  );
  // The old exporter JSON-escaped while the reader undid Latin-1 escaping: "a\\b" came back broken.
  const script = ['str.concat', 'C:\\models\\sd', '\\u0041 is not A', 'ünïcødé 狐'];
  expect(extractPngScript(embedScriptInPng(png, script))).toEqual({ form: 'json', script });
});
