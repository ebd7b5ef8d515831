import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import {
  type CanvasOperation,
  CanvasState,
  canvasOperations,
  canvasScript,
  imageKey,
  parseColor,
  record,
  scriptToLayers,
  strokeCoverage,
} from '../src/index.ts';

describe('rasteriser', () => {
  test('a hard stroke covers its disc and leaves the rest untouched', () => {
    const coverage = strokeCoverage(20, 20, [[10, 10]], 8, 1);
    expect(coverage[10 * 20 + 10]).toBe(1);
    expect(coverage[0]).toBe(0);
    const covered = Array.from(coverage).filter((value) => value > 0.5).length;
    expect(covered).toBeGreaterThan(Math.PI * 16 * 0.8);
    expect(covered).toBeLessThan(Math.PI * 16 * 1.2);
  });
  test('soft strokes fall off; overlapping stamps never exceed full coverage', () => {
    const soft = strokeCoverage(
      40,
      40,
      [
        [5, 20],
        [35, 20],
      ],
      16,
      0,
    );
    expect(soft[20 * 40 + 20]).toBeGreaterThan(0.8);
    expect(soft[13 * 40 + 20]!).toBeLessThan(soft[20 * 40 + 20]!);
    expect(Math.max(...soft)).toBeLessThanOrEqual(1);
  });
  test('brush, eraser and mask tools', () => {
    const state = new CanvasState();
    state.init(16, 16, '#000000');
    state.createLayer('a', 'A', 'raster');
    state.drawStroke('a', [[8, 8]], '#ff0000', 6, 'brush');
    expect(
      Array.from(state.composite().data.slice((8 * 16 + 8) * 4, (8 * 16 + 8) * 4 + 4)),
    ).toEqual([255, 0, 0, 255]);
    state.drawStroke('a', [[8, 8]], '#000000', 6, 'eraser');
    expect(state.layer('a', 'test').surface.data[(8 * 16 + 8) * 4 + 3]).toBe(0);
    state.createLayer('m', 'M', 'mask');
    state.drawStroke('m', [[2, 2]], '#ffffff', 3, 'mask');
    // Mask layers never reach the composite.
    expect(Array.from(state.composite().data.slice(0, 4))).toEqual([0, 0, 0, 255]);
  });
  test('opacity, visibility, order', () => {
    const state = new CanvasState();
    state.init(4, 4, '#ffffff');
    state.createLayer('a', 'A', 'raster', { opacity: 0.5 });
    state.drawStroke('a', [[2, 2]], '#000000', 8, 'brush');
    expect(state.composite().data[0]).toBe(128);
    state.updateLayer('a', { visible: false });
    expect(state.composite().data[0]).toBe(255);
    state.createLayer('b', 'B', 'raster');
    state.moveLayer('b', 0);
    expect(state.layers.map((layer) => layer.id)).toEqual(['b', 'a']);
  });
  test('bad arguments name the problem', () => {
    const state = new CanvasState();
    expect(() => state.init(0, 10)).toThrow(/width/);
    expect(() => state.drawStroke('none', [], '#fff', 3, 'brush')).toThrow(/no layer 'none'/);
    state.createLayer('a', 'A', 'raster');
    expect(() => state.drawStroke('a', [[1, 1]], 'blue-ish', 3, 'brush')).toThrow(/colour/);
    expect(() => state.drawStroke('a', [[1]], '#fff', 3, 'brush')).toThrow(/point 0/);
    expect(() => state.updateLayer('a', { colour: 1 })).toThrow(/unknown layer property/);
    expect(() => parseColor('#12')).toThrow();
  });
});

describe('recorder and scriptToLayers', () => {
  test('recorded operations replay into the same layers', () => {
    const script = canvasScript([
      record.init(32, 32, '#ffffff'),
      record.createLayer('a', 'A', 'raster'),
      record.stroke(
        'a',
        [
          [1, 1],
          [30, 30],
        ],
        '#ff0000',
        4,
        'brush',
      ),
      record.createLayer('c', 'Edges', 'control', { controlType: 'canny' }),
      record.bbox(4, 4, 16, 16),
    ]);
    const { state, problems } = scriptToLayers(script);
    expect(problems).toEqual([]);
    expect(state.layers.map((layer) => [layer.id, layer.type])).toEqual([
      ['a', 'raster'],
      ['c', 'control'],
    ]);
    expect(state.layers[1]!.controlType).toBe('canny');
    expect(state.bbox).toEqual({ x: 4, y: 4, width: 16, height: 16 });
    expect(script[3]).toEqual([
      'canvas.draw_stroke',
      'a',
      [
        'std.quote',
        [
          [1, 1],
          [30, 30],
        ],
      ],
      '#ff0000',
      4,
      'brush',
    ]);
  });
  test('unknown opcodes become locked opaque layers and survive a re-save', () => {
    const foreign: CanvasOperation = [
      'std.call_method',
      ['get_capability', 'upscale'],
      'upscale',
      { $image: 'x' },
      { factor: 2 },
    ];
    const script = canvasScript([
      record.init(8, 8),
      foreign,
      record.createLayer('a', 'A', 'raster'),
    ]);
    const { state } = scriptToLayers(script);
    expect(state.layers[0]).toMatchObject({
      type: 'opaque',
      name: 'upscale.upscale (×2)',
      locked: true,
    });
    const edited = canvasScript([
      ...canvasOperations(script),
      record.stroke('a', [[1, 1]], '#000000', 2, 'brush'),
    ]);
    expect(canvasOperations(edited)[1]).toEqual(foreign);
  });
  test('image arguments are resolved through the resolver, or reported unresolved', () => {
    const image = { $image: 'a'.repeat(64), width: 2, height: 2 };
    const script = canvasScript([
      record.init(4, 4),
      record.createLayer('a', 'A', 'raster'),
      record.loadImage('a', image, 1, 1),
    ]);
    expect(scriptToLayers(script).unresolved).toEqual([image]);
    const red = {
      width: 2,
      height: 2,
      data: new Uint8ClampedArray([255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255]),
    };
    const { state } = scriptToLayers(script, (candidate) =>
      imageKey(candidate) === image.$image ? red : undefined,
    );
    expect(Array.from(state.composite().data.slice((1 * 4 + 1) * 4, (1 * 4 + 1) * 4 + 4))).toEqual([
      255, 0, 0, 255,
    ]);
  });
  test('replay is deterministic for generated stroke scripts', () => {
    const point = fc.tuple(
      fc.integer({ min: 0, max: 31 }),
      fc.integer({ min: 0, max: 31 }),
    ) as fc.Arbitrary<[number, number]>;
    const stroke = fc.record({
      points: fc.array(point, { minLength: 1, maxLength: 5 }),
      size: fc.integer({ min: 1, max: 12 }),
      tool: fc.constantFrom('brush', 'eraser') as fc.Arbitrary<'brush' | 'eraser'>,
    });
    fc.assert(
      fc.property(fc.array(stroke, { maxLength: 6 }), (strokes) => {
        const script = canvasScript([
          record.init(32, 32, '#ffffff'),
          record.createLayer('a', 'A', 'raster'),
          ...strokes.map((entry) =>
            record.stroke('a', entry.points, '#336699', entry.size, entry.tool),
          ),
        ]);
        const first = scriptToLayers(script).state.composite().data;
        const second = scriptToLayers(JSON.parse(JSON.stringify(script))).state.composite().data;
        expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});
