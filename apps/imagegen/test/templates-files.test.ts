import { describe, expect, test } from 'bun:test';
import { insertPngText, readPngText } from '@viwo/protocol';
import sharp from 'sharp';
import schema from '../../../packages/core/schemas/viwo-template.schema.json' with { type: 'json' };
import {
  type JsonSchema,
  validateJsonSchema,
} from '../../../packages/core/src/persistence/json-schema.ts';
import { generateBlocks } from '../src/blocks/block-generator.ts';
import { blocksToScript } from '../src/blocks/blocks-to-script.ts';
import { scriptToBlocks } from '../src/blocks/script-to-blocks.ts';
import { BUILTIN_TEMPLATES } from '../src/templates/builtin-templates.ts';
import { extractPngScript, PngScriptError } from '../src/templates/png-script.ts';
import { analyseScript } from '../src/templates/script-analysis.ts';
import {
  filterTemplates,
  readTemplateCache,
  writeTemplateCache,
} from '../src/templates/template-cache.ts';
import {
  exposedParams,
  parseTemplateFile,
  templateFileName,
  valueAtPath,
  withValueAtPath,
} from '../src/templates/template-file.ts';
import { CAPABILITIES, OPCODES } from './blocks-metadata-fixture.ts';

async function tinyPng(): Promise<Uint8Array> {
  const buffer = await sharp({
    create: { width: 4, height: 3, channels: 3, background: { r: 200, g: 10, b: 30 } },
  })
    .png()
    .toBuffer();
  return new Uint8Array(buffer);
}

describe('PNG script extraction', () => {
  test('reads a script stored by core as {script, params}, including non-Latin-1 text', async () => {
    const script = [
      'std.call_method',
      ['get_capability', 'diffusers.generate'],
      'textToImage',
      'ein Fuchs — 狐 \\ "q"',
      { seed: 3 },
    ];
    const png = insertPngText(await tinyPng(), {
      viwo: JSON.stringify({ script, params: { seed: 3 } }),
      parameters: 'a fox',
    });
    expect(extractPngScript(png)).toEqual({ form: 'json', script, params: { seed: 3 } });
    expect(readPngText(png).parameters).toBe('a fox');
  });

  test('reads a bare script array and the text form', async () => {
    const script = ['std.seq', ['canvas.init', 64, 64]];
    expect(
      extractPngScript(insertPngText(await tinyPng(), { viwo: JSON.stringify(script) })),
    ).toEqual({
      form: 'json',
      script,
    });
    expect(
      extractPngScript(insertPngText(await tinyPng(), { viwo: '(std.seq (canvas.init 64 64))' })),
    ).toEqual({ form: 'text', text: '(std.seq (canvas.init 64 64))' });
  });

  test('refuses PNGs from elsewhere, metadata without a script, corruption and non-PNGs', async () => {
    const plain = await tinyPng();
    expect(() => extractPngScript(plain)).toThrow('no "viwo" text chunk');
    const metadataOnly = insertPngText(plain, { viwo: JSON.stringify({ kind: 'upscale' }) });
    expect(() => extractPngScript(metadataOnly)).toThrow('holds no script');
    const corrupted = insertPngText(plain, { viwo: '["std.seq"]' });
    corrupted[40] = (corrupted[40] ?? 0) ^ 0xff;
    expect(() => extractPngScript(corrupted)).toThrow(PngScriptError);
    expect(() => extractPngScript(corrupted.subarray(0, 30))).toThrow('byte');
    expect(() => extractPngScript(new TextEncoder().encode('GIF89a'))).toThrow('not a PNG');
    const badJson = insertPngText(plain, { viwo: '{nope' });
    expect(() => extractPngScript(badJson)).toThrow('not valid JSON');
  });
});

describe('built-in templates', () => {
  test('are valid exports under the repo schema', () => {
    expect(BUILTIN_TEMPLATES.map((template) => template.name)).toHaveLength(4);
    for (const template of BUILTIN_TEMPLATES) {
      const document = {
        version: template.version,
        kind: 'viwo-template',
        name: template.name,
        description: template.description,
        tags: template.tags,
        script: template.script,
        exposed: template.exposed,
      };
      expect(validateJsonSchema(schema as JsonSchema, document)).toEqual([]);
    }
  });

  test('every exposed path points at a literal of its type', () => {
    for (const template of BUILTIN_TEMPLATES) {
      for (const param of exposedParams(template)) {
        const value = valueAtPath(template.script, param.path);
        const expected = param.type === 'text' ? 'string' : 'number';
        expect(`${template.name}: ${param.label} ${typeof value}`).toBe(
          `${template.name}: ${param.label} ${expected}`,
        );
      }
    }
  });

  test('open in Blocks Mode with real blocks and round-trip unchanged', () => {
    const catalog = generateBlocks(OPCODES, CAPABILITIES);
    for (const template of BUILTIN_TEMPLATES) {
      const back = blocksToScript(scriptToBlocks(template.script, catalog), catalog).script;
      expect(back).toEqual(template.script as never);
    }
  });
});

describe('script analysis for untrusted scripts', () => {
  test('lists capabilities and methods with a compute estimate', () => {
    const txt2img = BUILTIN_TEMPLATES.find(
      (template) => template.id === 'builtin:txt2img-upscale',
    )!;
    const analysis = analyseScript(txt2img.script, CAPABILITIES);
    expect(analysis.capabilityTypes).toEqual(['diffusers.generate', 'upscale']);
    expect(analysis.calls.map((call) => `${call.type}.${call.method}`)).toEqual([
      'diffusers.generate.textToImage',
      'upscale.upscale',
    ]);
    expect(analysis.estimatedCost).toBeCloseTo((256 * 256 * 4) / 1e6);
    expect(analysis.costIsLowerBound).toBe(false);
  });

  test('handles held in variables, loops of known and unknown length', () => {
    const script = [
      'std.seq',
      ['std.let', 'gen', ['get_capability', 'diffusers.generate']],
      [
        'std.for',
        's',
        ['list.new', 1, 2, 3],
        ['std.call_method', ['std.var', 'gen'], 'textToImage', 'x', {}],
      ],
      [
        'std.while',
        true,
        [
          'std.call_method',
          ['std.var', 'gen'],
          'textToImage',
          'y',
          { steps: 1, width: 64, height: 64 },
        ],
      ],
      ['std.call_method', ['std.var', 'unknown'], 'mystery'],
    ];
    const analysis = analyseScript(script, CAPABILITIES);
    const call = analysis.calls.find((entry) => entry.method === 'textToImage')!;
    expect(call.count).toBe(4);
    expect(analysis.estimatedCost).toBeCloseTo((3 * 512 * 512 * 20 + 64 * 64) / 1e6);
    expect(analysis.costIsLowerBound).toBe(true);
    expect(analysis.unresolvedCalls).toEqual(['mystery']);
  });

  test('quoted data is not mistaken for calls', () => {
    const analysis = analyseScript(
      ['std.quote', ['std.call_method', ['get_capability', 'upscale'], 'upscale']],
      CAPABILITIES,
    );
    expect(analysis.calls).toEqual([]);
  });
});

describe('template files and cache', () => {
  test('export file names are safe', () => {
    expect(templateFileName('Upscale ×4 (ESRGAN)')).toBe('Upscale-4-ESRGAN.viwo-template.json');
    expect(templateFileName('../../etc/passwd')).toBe('....etcpasswd.viwo-template.json');
    expect(templateFileName('   ')).toBe('template.viwo-template.json');
  });

  test('import files must be JSON objects; errors name the file', () => {
    expect(() => parseTemplateFile('{', 'broken.json')).toThrow('broken.json is not valid JSON');
    expect(() => parseTemplateFile('[1]', 'list.json')).toThrow(
      'list.json must hold a JSON object',
    );
    expect(parseTemplateFile('{"version":2}', 'ok.json')).toEqual({ version: 2 });
  });

  test('exposed values are replaced without touching the original', () => {
    const script = ['std.seq', ['f', { seed: 1 }]];
    const changed = withValueAtPath(script, [1, 1, 'seed'], 9);
    expect(changed).toEqual(['std.seq', ['f', { seed: 9 }]]);
    expect(script).toEqual(['std.seq', ['f', { seed: 1 }]]);
    expect(() => withValueAtPath(script, [5, 'x'], 1)).toThrow('not in the script');
  });

  test('the local cache survives corruption and filters by name, description and tags', () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (key: string) => store.get(key) ?? null,
      setItem: (key: string, value: string) => void store.set(key, value),
    };
    expect(readTemplateCache(storage)).toEqual([]);
    writeTemplateCache(storage, [...BUILTIN_TEMPLATES]);
    expect(readTemplateCache(storage).map((template) => template.id)).toEqual(
      BUILTIN_TEMPLATES.map((template) => template.id),
    );
    store.set('viwo.templates.cache.v1', '{broken');
    expect(readTemplateCache(storage)).toEqual([]);
    expect(filterTemplates([...BUILTIN_TEMPLATES], 'BATCH').map((t) => t.id)).toEqual([
      'builtin:seed-variations',
    ]);
    expect(filterTemplates([...BUILTIN_TEMPLATES], 'lighthouse')).toEqual([]);
    expect(filterTemplates([...BUILTIN_TEMPLATES], 'esrgan').length).toBe(2);
  });
});
