import { describe, expect, test } from 'bun:test';
import {
  appendImageLayer,
  entryPrompt,
  entrySeeds,
  freshLayerId,
  type HistoryEntry,
  withRecordedSeeds,
} from '../src/gallery/gallery-actions.ts';
import { CAPABILITIES } from './blocks-metadata-fixture.ts';

const image = { $image: 'a'.repeat(64), width: 64, height: 32 };

describe('gallery actions', () => {
  test('use as layer appends a raster layer holding the image', () => {
    const script = ['std.seq', ['canvas.init', 64, 64]];
    expect(appendImageLayer(script, image, 'h1', 'From history')).toEqual([
      'std.seq',
      ['canvas.init', 64, 64],
      ['canvas.layer.create', 'h1', 'From history', 'raster'],
      ['canvas.layer.load_image', 'h1', image, 0, 0],
    ]);
    expect(appendImageLayer(null, image, 'h1', 'x')).toHaveLength(3);
    expect((appendImageLayer(['f', 1], image, 'h1', 'x') as unknown[])[1]).toEqual(['f', 1]);
  });

  test('layer ids never collide', () => {
    const script = [
      'std.seq',
      ['canvas.layer.create', 'h', 'a', 'raster'],
      ['canvas.layer.create', 'h-2', 'b', 'raster'],
    ];
    expect(freshLayerId(script, 'h')).toBe('h-3');
    expect(freshLayerId(script, 'other')).toBe('other');
  });

  test('re-run pins the recorded seeds in script order, batches consume several', () => {
    const gen = ['get_capability', 'diffusers.generate'];
    const script = [
      'std.seq',
      ['std.let', 'g', gen],
      [
        'std.let',
        'a',
        ['std.call_method', ['std.var', 'g'], 'textToImage', 'one', { steps: 4, batch_size: 2 }],
      ],
      ['std.call_method', ['get_capability', 'upscale'], 'upscale', ['std.var', 'a']],
      ['std.call_method', gen, 'textToImage', 'two'],
      ['std.call_method', gen, 'inpaint', 1, 2, 'three', { seed: 5 }],
    ];
    expect(withRecordedSeeds(script, [10, 11, 20, 30], CAPABILITIES)).toEqual([
      'std.seq',
      ['std.let', 'g', gen],
      [
        'std.let',
        'a',
        [
          'std.call_method',
          ['std.var', 'g'],
          'textToImage',
          'one',
          { steps: 4, batch_size: 2, seed: 10 },
        ],
      ],
      ['std.call_method', ['get_capability', 'upscale'], 'upscale', ['std.var', 'a']],
      ['std.call_method', gen, 'textToImage', 'two', { seed: 20 }],
      ['std.call_method', gen, 'inpaint', 1, 2, 'three', { seed: 30 }],
    ]);
    // The original is not modified.
    expect(script[4]).toEqual(['std.call_method', gen, 'textToImage', 'two']);
  });

  test('prompt of an entry comes from its recorded calls', () => {
    const entry = {
      params: [{ type: 'diffusers.generate', method: 'textToImage', args: ['a fox', { seed: 1 }] }],
    } as HistoryEntry;
    expect(entryPrompt(entry)).toBe('a fox');
    expect(entryPrompt({ params: [] } as unknown as HistoryEntry)).toBeUndefined();
  });

  test('an interrupted job (no recorded calls) is described from its script', () => {
    const entry = {
      params: [],
      seeds: [],
      script: [
        'std.call_method',
        ['get_capability', 'diffusers.generate'],
        'textToImage',
        'a lighthouse',
        { seed: 42, steps: 4 },
      ],
    } as unknown as HistoryEntry;
    expect(entryPrompt(entry)).toBe('a lighthouse');
    expect(entrySeeds(entry)).toEqual([42]);
    expect(entrySeeds({ ...entry, seeds: [7] })).toEqual([7]);
  });
});
