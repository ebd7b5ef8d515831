import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import {
  capabilityMetadata,
  defineCapability,
  definitionProblems,
} from '../src/capabilities/define-capability.ts';
import { narrowRestrictions, parseRestrictions } from '../src/capabilities/restrictions.ts';
import { validateArguments } from '../src/capabilities/validate-arguments.ts';
import type { CapabilityParam, CapabilityRestrictions } from '../src/capability-definition.ts';
import type { ImageStore } from '../src/image-value.ts';
import { testCapability } from '../src/testing/test-plugin.ts';

const known = 'a'.repeat(64);
const images = { has: async (hash: string) => hash === known } as unknown as ImageStore;
const context = { where: 'x.run', images };

const params: CapabilityParam[] = [
  { name: 'image', type: 'image' },
  {
    name: 'options',
    type: 'object',
    optional: true,
    fields: [
      { name: 'steps', type: 'integer', min: 1, max: 50, default: 20 },
      { name: 'scheduler', type: 'enum', options: ['euler', 'ddim'], default: 'euler' },
      { name: 'strength', type: 'number', min: 0, max: 1, optional: true },
      { name: 'seed', type: 'seed', optional: true },
      {
        name: 'controls',
        type: 'list',
        optional: true,
        items: { name: 'control', type: 'object', fields: [{ name: 'image', type: 'image' }] },
      },
    ],
  },
];
const image = { $image: known, width: 8, height: 8 };

async function message(
  args: unknown[],
  bounds?: CapabilityRestrictions['bounds'],
): Promise<string> {
  try {
    await validateArguments(params, args, { ...context, bounds });
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
}

describe('validateArguments', () => {
  test('fills defaults and keeps valid values', async () => {
    expect(await validateArguments(params, [image], context)).toEqual([
      image,
      { steps: 20, scheduler: 'euler' },
    ]);
    expect(await validateArguments(params, [image, { steps: 5, seed: 3 }], context)).toEqual([
      image,
      { steps: 5, scheduler: 'euler', seed: 3 },
    ]);
  });

  test('errors name the parameter path and the bound or the options', async () => {
    expect(await message([image, { steps: 'x' }])).toBe(
      'x.run: options.steps must be an integer, got string "x"',
    );
    expect(await message([image, { steps: 2.5 }])).toContain('options.steps must be an integer');
    expect(await message([image, { steps: 51 }])).toBe(
      'x.run: options.steps must be at most 50, got 51',
    );
    expect(await message([image, { strength: -1 }])).toContain(
      'options.strength must be at least 0',
    );
    expect(await message([image, { scheduler: 'dpm' }])).toContain(
      'must be one of "euler", "ddim", got string "dpm"',
    );
    expect(await message([image, { stepz: 1 }])).toContain(
      'options.stepz is not a known option of options',
    );
    expect(await message([image, { seed: -1 }])).toContain('options.seed must be a seed');
    expect(await message([{ $image: 'b'.repeat(64), width: 1, height: 1 }])).toContain(
      'is not in the image store',
    );
    expect(await message(['not an image'])).toContain('image must be an image value');
    expect(await message([])).toContain('image is required');
    expect(await message([image, {}, 3])).toContain('takes at most 2 argument(s)');
    expect(await message([image, { controls: [{ image: 5 }] }])).toContain(
      'options.controls[0].image',
    );
    expect(await message([image, { steps: 30 }], { steps: { max: 25 } })).toContain(
      "above this capability's bound (max 25)",
    );
    expect(await message([image, {}], { 'options.steps': { max: 10 } })).toContain(
      'options.steps 20',
    );
  });
});

describe('validateArguments on arbitrary input (property)', () => {
  test('accepts or rejects with an InvalidArgument ScriptError, never anything else', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue(), { maxLength: 3 }), async (args) => {
        try {
          await validateArguments(params, args, context);
        } catch (error) {
          expect((error as { code?: string }).code).toBe('InvalidArgument');
          expect((error as Error).message.startsWith('x.run')).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('defineCapability', () => {
  test('accepts a complete declaration and derives metadata from it', () => {
    expect(definitionProblems(testCapability)).toEqual([]);
    const metadata = capabilityMetadata(testCapability);
    expect(metadata.methods.map((m) => m.name)).toEqual(Object.keys(testCapability.methods));
    expect(metadata.methods[0]).not.toHaveProperty('run');
  });

  test('names every problem of a broken declaration', () => {
    const broken = {
      type: 'bad type!',
      label: '',
      description: 'd',
      methods: {
        go: {
          label: 'Go',
          description: '',
          returns: 'null',
          params: [
            { name: 'a', type: 'enum' },
            { name: 'b', type: 'colour' },
            { name: 'c', type: 'number', optional: true },
            { name: 'd', type: 'number', min: 5, max: 1 },
          ],
          run: async () => null,
        },
      },
    };
    const problems = definitionProblems(broken as never);
    expect(problems).toEqual([
      'type must be a name like "upscale" or "diffusers.generate"',
      'label is missing',
      'method go: description is missing',
      'method go: param a: enum needs options',
      'method go: param b: type colour is not one of string, text, number, integer, boolean, enum, seed, image, mask, object, list',
      'method go: param d: min 5 is above max 1',
      'method go: required param d follows an optional one',
    ]);
    expect(() => defineCapability(broken as never)).toThrow(/declared incorrectly/);
  });
});

const restrictionsArbitrary: fc.Arbitrary<CapabilityRestrictions> = fc.record(
  {
    methods: fc.subarray(['a', 'b', 'c', 'd']),
    maxCompute: fc.integer({ min: 0, max: 100 }),
    bounds: fc.dictionary(
      fc.constantFrom('width', 'steps'),
      fc.record(
        { min: fc.integer({ min: 0, max: 50 }), max: fc.integer({ min: 50, max: 100 }) },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);

/** Whether `child` allows nothing `parent` forbids. */
function withinParent(child: CapabilityRestrictions, parent: CapabilityRestrictions): boolean {
  if (parent.methods && (!child.methods || child.methods.some((m) => !parent.methods!.includes(m))))
    return false;
  if (
    parent.maxCompute !== undefined &&
    (child.maxCompute === undefined || child.maxCompute > parent.maxCompute)
  )
    return false;
  for (const [name, bound] of Object.entries(parent.bounds ?? {})) {
    const own = child.bounds?.[name];
    if (bound.max !== undefined && (own?.max === undefined || own.max > bound.max)) return false;
    if (bound.min !== undefined && (own?.min === undefined || own.min < bound.min)) return false;
  }
  return true;
}

describe('restrictions', () => {
  test('mint (lenient) never widens; delegate (strict) never widens or throws (property)', () => {
    fc.assert(
      fc.property(restrictionsArbitrary, restrictionsArbitrary, (parent, requested) => {
        expect(withinParent(narrowRestrictions(parent, requested, false, 'mint'), parent)).toBe(
          true,
        );
        try {
          expect(
            withinParent(narrowRestrictions(parent, requested, true, 'delegate'), parent),
          ).toBe(true);
        } catch (error) {
          expect((error as { code: string }).code).toBe('CapabilityDenied');
        }
      }),
      { numRuns: 300 },
    );
  });

  test('parses shorthands and rejects unknown keys', () => {
    expect(
      parseRestrictions({ max_width: 512, min_steps: 2, max_compute: 3, methods: ['a'] }, 'w'),
    ).toEqual({
      methods: ['a'],
      maxCompute: 3,
      bounds: { width: { max: 512 }, steps: { min: 2 } },
    });
    expect(() => parseRestrictions({ width: 5 }, 'w')).toThrow(/unknown restriction "width"/);
    expect(() => parseRestrictions({ maxCompute: -1 }, 'w')).toThrow(/at least 0/);
    expect(() => parseRestrictions([], 'w')).toThrow(/must be an object/);
  });
});
