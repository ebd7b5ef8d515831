import { describe, expect, test } from 'bun:test';
import { insertPngText } from '@viwo/protocol';
import fc from 'fast-check';
import sharp from 'sharp';
import {
  imageExtension,
  outputDateFolder,
  outputFileName,
  outputUserFolder,
  recordedSeed,
} from '../../apps/server/src/outputs/output-file-name.ts';

const HASH = 'abcdef0123456789'.repeat(4);

describe('outputs file names', () => {
  test('a user folder is only [a-z0-9_-], never empty, never climbs', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (name) => {
        const folder = outputUserFolder(name);
        expect(folder).toMatch(/^[a-z0-9_-]+$/);
      }),
    );
    expect(outputUserFolder('Alice.B')).toBe('alice_b');
    expect(outputUserFolder('../..')).toBe('_____');
    expect(outputUserFolder('')).toBe('user');
  });

  test('the seed comes from the viwo chunk, else the A1111 parameters, else none', () => {
    const viwo = JSON.stringify({ script: [], params: { options: { seed: 42 } } });
    expect(recordedSeed({ viwo, parameters: 'x\nSteps: 2, Seed: 7, Size: 64x64' })).toBe(42);
    expect(recordedSeed({ parameters: 'x\nSteps: 2, Seed: 7, Size: 64x64' })).toBe(7);
    expect(recordedSeed({ parameters: 'a prompt\nSteps: 2, Seed: 9' })).toBe(9);
    expect(recordedSeed({ viwo: '{not json', parameters: 'Seed: 3, Size: 1x1' })).toBe(3);
    expect(recordedSeed({ viwo: JSON.stringify({ params: { options: { seed: 'x' } } }) })).toBe(
      undefined,
    );
    expect(recordedSeed({ parameters: 'a prompt about Seed: 5x' })).toBe(undefined);
    expect(recordedSeed({})).toBe(undefined);
  });

  test('names use the local date and time, the seed (or noseed) and the hash', async () => {
    const ended = new Date(2026, 0, 5, 7, 8, 9);
    expect(outputDateFolder(ended)).toBe('2026-01-05');
    const png = new Uint8Array(
      await sharp({ create: { width: 2, height: 2, channels: 3, background: '#fff' } })
        .png()
        .toBuffer(),
    );
    expect(outputFileName(png, HASH, ended)).toBe('070809-noseed-abcdef01.png');
    const seeded = insertPngText(png, { parameters: 'p\nSteps: 1, Seed: 1234, Size: 2x2' });
    expect(outputFileName(seeded, HASH, ended)).toBe('070809-1234-abcdef01.png');
  });

  test('non-PNG bytes keep their own extension', () => {
    expect(imageExtension(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpg');
    const webp = new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 ');
    expect(imageExtension(webp)).toBe('webp');
    expect(outputFileName(webp, HASH, new Date(2026, 0, 1, 0, 0, 0))).toBe(
      '000000-noseed-abcdef01.webp',
    );
  });
});
