import { expect, test } from 'bun:test';
import { canvasScript, record, scriptToLayers } from '@viwo/canvas';
import { activeRegions, layerMaskSurface } from '../src/layer/region-options.ts';

const state = () =>
  scriptToLayers(
    canvasScript([
      record.init(64, 64, '#ffffff'),
      record.createLayer('sky', 'Sky', 'region', { prompt: 'blue sky' }),
      record.stroke('sky', [[10, 10]], '#ffffff', 8, 'mask'),
      record.createLayer('hidden', 'Hidden', 'region', { prompt: 'x', visible: false }),
      record.stroke('hidden', [[10, 10]], '#ffffff', 8, 'mask'),
      record.createLayer('blank', 'No prompt', 'region'),
      record.stroke('blank', [[10, 10]], '#ffffff', 8, 'mask'),
      record.createLayer('far', 'Far', 'region', { prompt: 'grass' }),
      record.stroke('far', [[56, 56]], '#ffffff', 6, 'mask'),
      record.createLayer('mask', 'Mask', 'mask'),
      record.stroke('mask', [[10, 10]], '#ffffff', 8, 'mask'),
    ]),
  ).state;

test('a generation sends the visible, prompted regions painted inside its box, in stack order', () => {
  expect(activeRegions(state(), 0, 0, 64, 64).map((layer) => layer.id)).toEqual(['sky', 'far']);
  expect(activeRegions(state(), 0, 0, 32, 32).map((layer) => layer.id)).toEqual(['sky']);
  expect(activeRegions(state(), 40, 0, 24, 24)).toEqual([]);
});

test("a region's mask is opaque white where painted and black elsewhere, cropped to the box", () => {
  const sky = state().layer('sky', 'test');
  const mask = layerMaskSurface(sky, 4, 4, 16, 16);
  expect([mask.width, mask.height]).toEqual([16, 16]);
  const pixel = (x: number, y: number) => [
    ...mask.data.subarray((y * 16 + x) * 4, (y * 16 + x) * 4 + 4),
  ];
  expect(pixel(6, 6)).toEqual([255, 255, 255, 255]);
  expect(pixel(15, 0)).toEqual([0, 0, 0, 255]);
});
