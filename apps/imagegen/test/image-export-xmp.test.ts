import { describe, expect, test } from 'bun:test';
import { viwoXmp } from '@viwo/protocol';
import fc from 'fast-check';
import sharp from 'sharp';
import { extractEmbeddedScript, scriptImageKind } from '../src/extras/embedded-script.ts';
import { replaceJpegXmp, replaceWebpXmp } from '../src/extras/xmp-replace.ts';
import { embedScriptInPng } from '../src/templates/png-script.ts';

const base = () => sharp({ create: { width: 8, height: 6, channels: 4, background: '#336699' } });
/** What the server's transcoder writes: sharp with an XMP packet holding no script. */
const served = async (format: 'jpeg' | 'webp') =>
  new Uint8Array(
    await (format === 'jpeg' ? base().jpeg() : base().webp())
      .withXmp(viwoXmp(undefined, 'Steps: 4'))
      .toBuffer(),
  );

describe('JPEG/WebP carrying the canvas script in XMP', () => {
  for (const format of ['jpeg', 'webp'] as const) {
    test(`${format}: the replaced XMP is what sharp reads, the pixels survive, the drop reads the script`, async () => {
      const script = ['std.seq', ['canvas.init', 8, 6, '#ffffff'], ['canvas.composite']];
      const bytes = await served(format);
      const xmp = viwoXmp(JSON.stringify({ script }));
      const replaced = format === 'jpeg' ? replaceJpegXmp(bytes, xmp) : replaceWebpXmp(bytes, xmp);
      const metadata = await sharp(Buffer.from(replaced)).metadata();
      expect([metadata.format, metadata.width, metadata.height]).toEqual([format, 8, 6]);
      expect(metadata.xmp?.toString('utf8')).toBe(xmp);
      const [before, after] = await Promise.all(
        [bytes, replaced].map((image) => sharp(Buffer.from(image)).raw().toBuffer()),
      );
      expect(Buffer.compare(before!, after!)).toBe(0);
      expect(scriptImageKind(replaced)).toBe(format);
      expect(extractEmbeddedScript(replaced)).toEqual({ form: 'json', script });
    });
  }

  test('property: any script round-trips through JPEG XMP and WebP XMP exactly as through PNG', async () => {
    const [jpeg, webp, png] = await Promise.all([
      served('jpeg'),
      served('webp'),
      base().png().toBuffer(),
    ]);
    const text = fc.string({ unit: 'binary', maxLength: 30 });
    const scriptArb = fc.array(fc.oneof(text, fc.integer(), fc.array(text, { maxLength: 3 })), {
      maxLength: 5,
    });
    fc.assert(
      fc.property(scriptArb, (body) => {
        const script = ['std.seq', ...body];
        const xmp = viwoXmp(JSON.stringify({ script }));
        const fromPng = extractEmbeddedScript(embedScriptInPng(new Uint8Array(png), script));
        expect(extractEmbeddedScript(replaceJpegXmp(jpeg, xmp))).toEqual(fromPng);
        expect(extractEmbeddedScript(replaceWebpXmp(webp, xmp))).toEqual(fromPng);
      }),
      { numRuns: 30 },
    );
  });

  test('files without a script give errors that say why', async () => {
    expect(() => extractEmbeddedScript(new Uint8Array([1, 2, 3, 4]))).toThrow(
      'not a PNG, JPEG or WebP',
    );
    const plain = new Uint8Array(await base().jpeg().toBuffer());
    expect(() => extractEmbeddedScript(plain)).toThrow('this JPEG carries no XMP metadata');
    const scriptless = await served('webp');
    expect(() => extractEmbeddedScript(scriptless)).toThrow('no viwo:script field');
    const huge = viwoXmp('x'.repeat(70_000));
    expect(() => replaceJpegXmp(plain, huge)).toThrow('too large for a JPEG');
    const simple = new Uint8Array(await base().webp().toBuffer());
    expect(() => replaceWebpXmp(simple, huge)).toThrow('extended (VP8X)');
  });
});
