import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { opaqueLayerName } from '../src/opaque-layer-name.ts';

describe('opaque layer names say what the call does', () => {
  test('a bound composite and a call through a handle bound earlier', () => {
    const operations = [
      ['canvas.init', 64, 64, '#000000'],
      ['std.let', 'image', ['canvas.composite']],
      ['std.let', 'up', ['get_capability', 'upscale']],
      [
        'std.call_method',
        ['std.var', 'up'],
        'upscale',
        ['std.var', 'image'],
        { model: 'esrgan-slim', factor: 4 },
      ],
    ];
    expect(opaqueLayerName(operations, 1)).toBe('image = canvas.composite');
    expect(opaqueLayerName(operations, 2)).toBe('up = get_capability');
    expect(opaqueLayerName(operations, 3)).toBe('upscale.upscale (esrgan-slim, ×4)');
  });

  test('nested calls read in the order they run; literals and long names are shortened', () => {
    const generate = [
      'std.call_method',
      ['get_capability', 'diffusers.generate'],
      'textToImage',
      'a heron',
      { model_id: 'tiny-sd15', seed: 3 },
    ];
    const nested = ['std.call_method', ['get_capability', 'upscale'], 'upscale', generate, {}];
    expect(opaqueLayerName([nested], 0)).toBe('diffusers.generate.textToImage → upscale.upscale');
    expect(opaqueLayerName([['std.let', 'n', 42]], 0)).toBe('n = 42');
    expect(opaqueLayerName([['x'.repeat(200)]], 0)).toHaveLength(60);
    // A head that is no opcode (found by the property below) still gets a name.
    expect(opaqueLayerName([[[[]], []]], 0)).toBe('expression');
  });

  test('property: any operation list gets a non-empty name of at most 60 characters', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { minLength: 1, maxLength: 6 }), (operations) => {
        for (let index = 0; index < operations.length; index++) {
          const name = opaqueLayerName(operations, index);
          expect(name.length).toBeGreaterThan(0);
          expect(name.length).toBeLessThanOrEqual(60);
        }
      }),
    );
  });
});
