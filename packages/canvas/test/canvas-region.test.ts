import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { CANVAS_OPERATIONS, canvasScript, record, scriptToLayers } from '../src/index.ts';

describe('region layers', () => {
  test('a region is a mask with its own prompt, recorded and replayed', () => {
    const script = canvasScript([
      record.init(16, 16, '#000000'),
      record.createLayer('r', 'Sky', 'region', { prompt: 'blue sky' }),
      record.stroke('r', [[4, 4]], '#ffffff', 4, 'mask'),
      record.updateLayer('r', { negative_prompt: 'clouds' }),
    ]);
    const { state, problems } = scriptToLayers(JSON.parse(JSON.stringify(script)));
    expect(problems).toEqual([]);
    const region = state.layer('r', 'test');
    expect([region.type, region.prompt, region.negativePrompt]).toEqual([
      'region',
      'blue sky',
      'clouds',
    ]);
    expect(region.surface.data[(4 * 16 + 4) * 4 + 3]).toBe(255);
    // Like masks, regions never reach the composite.
    expect(
      Array.from(state.composite().data.slice((4 * 16 + 4) * 4, (4 * 16 + 4) * 4 + 4)),
    ).toEqual([0, 0, 0, 255]);
  });

  test('prompts on a non-region layer or of the wrong type are errors naming the property', () => {
    const replay = scriptToLayers(
      canvasScript([
        record.createLayer('a', 'A', 'raster', { prompt: 'x' }),
        record.createLayer('r', 'R', 'region'),
        record.updateLayer('r', { prompt: 3 }),
      ]),
    );
    expect(replay.problems.map((problem) => problem.message)).toEqual([
      'canvas.layer.create: prompt applies to region layers only',
      'canvas.layer.update: prompt must be a string',
    ]);
  });

  test('the opcode metadata mentions region layers', () => {
    expect(CANVAS_OPERATIONS.get('canvas.layer.create')?.metadata.description).toContain('region');
  });

  test('property: region strokes and prompts never change the composite, and replay is stable', () => {
    const point = fc.tuple(
      fc.integer({ min: 0, max: 23 }),
      fc.integer({ min: 0, max: 23 }),
    ) as fc.Arbitrary<[number, number]>;
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('raster' as const),
        points: fc.array(point, { minLength: 1, maxLength: 4 }),
        size: fc.integer({ min: 1, max: 10 }),
      }),
      fc.record({
        kind: fc.constant('region' as const),
        points: fc.array(point, { minLength: 1, maxLength: 4 }),
        size: fc.integer({ min: 1, max: 10 }),
        prompt: fc.string({ maxLength: 12 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 8 }), (steps) => {
        const base = [record.init(24, 24, '#ffffff'), record.createLayer('a', 'A', 'raster')];
        const withRegions = canvasScript([
          ...base,
          record.createLayer('r', 'R', 'region', { prompt: 'start' }),
          ...steps.flatMap((entry) =>
            entry.kind === 'raster'
              ? [record.stroke('a', entry.points, '#336699', entry.size, 'brush')]
              : [
                  record.stroke('r', entry.points, '#ffffff', entry.size, 'mask'),
                  record.updateLayer('r', { prompt: entry.prompt }),
                ],
          ),
        ]);
        const rasterOnly = canvasScript([
          ...base,
          ...steps
            .filter((entry) => entry.kind === 'raster')
            .map((entry) => record.stroke('a', entry.points, '#336699', entry.size, 'brush')),
        ]);
        const replayed = scriptToLayers(JSON.parse(JSON.stringify(withRegions)));
        expect(replayed.problems).toEqual([]);
        const composite = Buffer.from(replayed.state.composite().data);
        expect(
          composite.equals(Buffer.from(scriptToLayers(rasterOnly).state.composite().data)),
        ).toBe(true);
        const last = steps.filter((entry) => entry.kind === 'region').at(-1);
        expect(replayed.state.layer('r', 'test').prompt).toBe(
          last?.kind === 'region' ? last.prompt : 'start',
        );
      }),
      { numRuns: 40 },
    );
  });
});
