import { describe, expect, test } from 'bun:test';
import type { GenerationPlan } from '../src/layer/generation.ts';
import { formatUsd, toRunwarePlan } from '../src/layer/runware-backend.ts';

const image = { $image: 'a'.repeat(64), width: 64, height: 64 };

function plan(script: unknown, expressions: unknown[] = [script]): GenerationPlan {
  return { kind: 'place', script, expressions, x: 0, y: 0 };
}

describe('Runware backend plans', () => {
  test('a local call becomes the same call on runware with the AIR id and no local-only keys', () => {
    const local = [
      'std.call_method',
      ['get_capability', 'diffusers.generate'],
      'textToImage',
      'a fox',
      { model_id: 'tiny-sd', scheduler: 'euler', steps: 4, seed: 3, width: 256, height: 256 },
    ];
    const converted = toRunwarePlan(plan(local), 'runware:100@1');
    const expected = [
      'std.call_method',
      ['get_capability', 'runware'],
      'textToImage',
      'a fox',
      { model_id: 'runware:100@1', steps: 4, seed: 3, width: 256, height: 256 },
    ];
    expect(converted.script).toEqual(expected);
    expect(converted.expressions).toEqual([expected]);
  });

  test('batches, inpaint and upscale convert; upscale keeps its options', () => {
    const inpaint = (seed: number) => [
      'std.call_method',
      ['get_capability', 'diffusers.inpaint'],
      'inpaint',
      image,
      image,
      'a door',
      { seed },
    ];
    const batch = toRunwarePlan(
      plan(['list.new', inpaint(1), inpaint(2)], [inpaint(1), inpaint(2)]),
      'runware:101@1',
    );
    expect((batch.script as unknown[])[0]).toBe('list.new');
    expect(batch.expressions[1]).toEqual([
      'std.call_method',
      ['get_capability', 'runware'],
      'inpaint',
      image,
      image,
      'a door',
      { seed: 2, model_id: 'runware:101@1' },
    ]);
    const upscale = toRunwarePlan(
      plan(['std.call_method', ['get_capability', 'upscale'], 'upscale', image, { factor: 2 }]),
      'runware:101@1',
    );
    expect(upscale.script).toEqual([
      'std.call_method',
      ['get_capability', 'runware'],
      'upscale',
      image,
      { factor: 2 },
    ]);
  });

  test('ControlNet layers and ids that are not AIR ids are refused with a clear message', () => {
    const control = [
      'std.call_method',
      ['get_capability', 'controlnet.generate'],
      'apply',
      image,
      'x',
      'canny',
      1,
      {},
    ];
    expect(() => toRunwarePlan(plan(control), 'runware:101@1')).toThrow(/locally only/);
    expect(() => toRunwarePlan(plan(control), 'flux-dev')).toThrow(/not a Runware model id/);
    expect(() => toRunwarePlan(plan(control), 'runware:101')).toThrow(/not a Runware model id/);
  });

  test('costs print with their significant digits', () => {
    expect(formatUsd(0.0019)).toBe('$0.0019');
    expect(formatUsd(1.5)).toBe('$1.50');
  });
});
