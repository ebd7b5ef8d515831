import { describe, expect, test } from 'bun:test';
import { generateBlocks, methodBlockType, opcodeBlockType } from '../src/blocks/block-generator.ts';
import { BLOCK } from '../src/blocks/block-specs.ts';
import type { BlockArgJson, BlockDefinitionJson } from '../src/blocks/blockly-json.ts';
import { CAPABILITIES, OPCODES } from './blocks-metadata-fixture.ts';

const catalog = generateBlocks(OPCODES, CAPABILITIES);
const definitions = new Map(catalog.definitions.map((definition) => [definition.type, definition]));

function toolboxTypes(): string[] {
  return catalog.toolbox.contents.flatMap((category) =>
    (category.contents ?? []).map((entry) => entry.type),
  );
}

function inputArg(definition: BlockDefinitionJson, name: string): BlockArgJson | undefined {
  return definition.args0?.find((arg) => arg.name === name);
}

function shadowField(blockType: string, input: string): BlockArgJson {
  const spec = catalog.specs.get(blockType);
  if (spec?.kind !== 'method') throw new Error(`${blockType} is not a method block`);
  const all = spec.positional.flatMap((positional) =>
    positional.kind === 'value' ? [positional] : positional.fields,
  );
  const shadow = all.find((entry) => entry.input === input)?.shadow;
  if (!shadow) throw new Error(`${input} has no shadow`);
  const field = definitions.get(shadow)?.args0?.[0];
  if (!field) throw new Error(`${shadow} has no field`);
  return field;
}

describe('block generator', () => {
  test('every opcode and every capability method gets exactly one block', () => {
    for (const info of OPCODES) {
      expect(definitions.has(opcodeBlockType(info.opcode))).toBe(true);
    }
    for (const capability of CAPABILITIES) {
      for (const method of capability.methods) {
        expect(definitions.has(methodBlockType(capability.type, method.name))).toBe(true);
      }
    }
    const types = catalog.definitions.map((definition) => definition.type);
    expect(new Set(types).size).toBe(types.length);
  });

  test('the toolbox offers every capability method and every non-variable opcode', () => {
    const offered = new Set(toolboxTypes());
    for (const capability of CAPABILITIES) {
      for (const method of capability.methods) {
        expect(offered.has(methodBlockType(capability.type, method.name))).toBe(true);
      }
    }
    for (const info of OPCODES) {
      if (['std.let', 'std.set', 'std.var'].includes(info.opcode)) continue;
      expect(offered.has(opcodeBlockType(info.opcode))).toBe(true);
    }
    const variables = catalog.toolbox.contents.find((category) => category.name === 'Variables');
    expect(variables?.custom).toBe('VIWO_VARIABLES');
  });

  test('categories have colours and tooltips come from descriptions', () => {
    for (const category of catalog.toolbox.contents) {
      expect(Number(category.colour)).toBeGreaterThanOrEqual(0);
      expect(Number(category.colour)).toBeLessThan(360);
    }
    expect(definitions.get(opcodeBlockType('list.get'))?.tooltip).toBe('Item at an index');
    expect(definitions.get(methodBlockType('upscale', 'upscale'))?.tooltip).toContain(
      'ESRGAN super-resolution',
    );
    const upscale = definitions.get(methodBlockType('upscale', 'upscale'))!.colour;
    const generate = definitions.get(methodBlockType('diffusers.generate', 'inpaint'))!.colour;
    expect(upscale).not.toBe(generate);
  });

  test('every message placeholder matches one arg (Blockly rejects mismatches)', () => {
    for (const definition of catalog.definitions) {
      const placeholders = [...definition.message0.replaceAll('%%', '').matchAll(/%(\d+)/g)].map(
        (match) => Number(match[1]),
      );
      const count = definition.args0?.length ?? 0;
      expect(placeholders.sort((a, b) => a - b)).toEqual(
        Array.from({ length: count }, (_, index) => index + 1),
      );
    }
  });

  test('control flow opcodes are statement blocks with statement inputs', () => {
    for (const opcode of ['std.seq', 'std.if', 'std.while', 'std.for', 'std.try']) {
      const definition = definitions.get(opcodeBlockType(opcode))!;
      expect(definition.previousStatement).toBeNull();
      expect(definition.nextStatement).toBeNull();
      expect(definition.output).toBeUndefined();
      expect(definition.args0?.some((arg) => arg.type === 'input_statement')).toBe(true);
    }
    const lambda = definitions.get(opcodeBlockType('std.lambda'))!;
    expect(lambda.args0?.some((arg) => arg.type === 'input_statement')).toBe(true);
    for (const opcode of ['std.let', 'std.set', 'std.for', 'std.try', 'std.var']) {
      const definition = definitions.get(opcodeBlockType(opcode))!;
      expect(definition.args0?.some((arg) => arg.type === 'field_variable')).toBe(true);
    }
    expect(definitions.get(opcodeBlockType('+'))?.output).toBeNull();
    expect(definitions.get(opcodeBlockType('+'))?.mutator).toBe('viwo_variadic');
  });

  test('param types map to the right fields', () => {
    const everything = methodBlockType('test.only', 'everything');
    expect(shadowField(everything, 'ARG_s').type).toBe('field_input');
    expect(shadowField(everything, 'ARG_t').type).toBe('field_input');
    expect(shadowField(everything, 'ARG_n')).toMatchObject({
      type: 'field_number',
      min: -5,
      max: 5,
    });
    expect(shadowField(everything, 'ARG_i')).toMatchObject({ type: 'field_number', precision: 1 });
    expect(shadowField(everything, 'ARG_b').type).toBe('field_checkbox');
    expect(shadowField(everything, 'ARG_e')).toMatchObject({
      type: 'field_dropdown',
      options: [
        ['a', 'a'],
        ['b', 'b'],
      ],
    });
    const seed = catalog.specs.get(everything);
    expect(seed?.kind).toBe('method');
    expect(definitions.get(BLOCK.seed)?.extensions).toEqual(['viwo_seed_randomise']);
    expect(shadowField(everything, 'ARG_seed')).toMatchObject({ type: 'field_number', min: 0 });
    // Sockets only: images, masks, objects without fields, lists.
    const spec = catalog.specs.get(everything);
    if (spec?.kind !== 'method') throw new Error('expected a method spec');
    for (const name of ['img', 'm', 'o', 'l']) {
      const positional = spec.positional.find((entry) => entry.param.name === name);
      expect(positional?.kind).toBe('value');
      if (positional?.kind === 'value') expect(positional.shadow).toBeUndefined();
      expect(inputArg(definitions.get(everything)!, `ARG_${name}`)?.type).toBe('input_value');
    }
  });

  test('options objects become one input per field with the field types', () => {
    const textToImage = methodBlockType('diffusers.generate', 'textToImage');
    expect(shadowField(textToImage, 'options.steps')).toMatchObject({
      type: 'field_number',
      min: 1,
      max: 150,
      precision: 1,
      value: 20,
    });
    expect(shadowField(textToImage, 'options.guidance_scale')).toMatchObject({ precision: 0.5 });
    expect(shadowField(textToImage, 'options.width')).toMatchObject({ precision: 8, min: 64 });
    expect(shadowField(textToImage, 'options.scheduler').type).toBe('field_dropdown');
    const upscale = methodBlockType('upscale', 'upscale');
    expect(shadowField(upscale, 'options.factor')).toMatchObject({
      options: [
        ['2', '2'],
        ['3', '3'],
        ['4', '4'],
      ],
    });
    // Toolbox defaults: fields with a default get a shadow holding it, others stay empty.
    const entry = catalog.toolbox.contents
      .flatMap((category) => category.contents ?? [])
      .find((candidate) => candidate.type === upscale);
    expect(Object.keys(entry?.inputs ?? {}).sort()).toEqual(['options.factor', 'options.model']);
    expect(entry?.inputs?.['options.factor']?.shadow?.fields).toEqual({ VALUE: '4' });
  });

  test('a capability added later gets blocks with no client change', () => {
    const extra = generateBlocks(OPCODES, [
      ...CAPABILITIES,
      {
        type: 'plugin.added',
        label: 'Added',
        description: 'Arrives with a plugin',
        methods: [
          {
            name: 'sharpen',
            label: 'Sharpen',
            description: 'Sharpens',
            returns: 'image',
            params: [
              { name: 'image', type: 'image' },
              { name: 'amount', type: 'number', min: 0, max: 1 },
            ],
          },
        ],
      },
    ]);
    expect(extra.methodBlocks.get('plugin.added.sharpen')).toBe(
      methodBlockType('plugin.added', 'sharpen'),
    );
    const category = extra.toolbox.contents.find((entry) => entry.name === 'Added');
    expect(category?.contents?.map((entry) => entry.type)).toEqual([
      methodBlockType('plugin.added', 'sharpen'),
    ]);
  });

  test('labels with % do not break message placeholders', () => {
    expect(definitions.get(opcodeBlockType('%'))?.message0.startsWith('100%% mod')).toBe(true);
  });
});
