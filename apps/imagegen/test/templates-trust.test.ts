import { describe, expect, test } from 'bun:test';
import { BUILTIN_TEMPLATES } from '../src/templates/builtin-templates.ts';
import { exposedCandidates } from '../src/templates/exposed-candidates.ts';
import {
  confirmRun,
  markTrusted,
  markUntrusted,
  pendingUntrusted,
  trustRequest,
} from '../src/templates/trust-gate.ts';
import { CAPABILITIES } from './blocks-metadata-fixture.ts';

const script = BUILTIN_TEMPLATES.find(
  (template) => template.id === 'builtin:txt2img-upscale',
)!.script;

describe('untrusted scripts', () => {
  test('trusted scripts run without asking', async () => {
    markTrusted();
    expect(await confirmRun(script, CAPABILITIES)).toBe(true);
    expect(trustRequest()).toBeUndefined();
  });

  test('an untrusted script asks once, with what it calls; yes clears the flag', async () => {
    let remembered = false;
    markUntrusted('image fox.png', () => {
      remembered = true;
    });
    const answer = confirmRun(script, CAPABILITIES);
    const request = trustRequest();
    expect(request?.origin).toBe('image fox.png');
    expect(request?.analysis.calls.map((call) => call.method)).toEqual(['textToImage', 'upscale']);
    request?.resolve(true);
    expect(await answer).toBe(true);
    expect(remembered).toBe(true);
    expect(pendingUntrusted()).toBeUndefined();
    expect(await confirmRun(script, CAPABILITIES)).toBe(true);
  });

  test('no keeps the script untrusted; a second request cancels the first', async () => {
    markUntrusted('template "x" (imported)');
    const first = confirmRun(script, CAPABILITIES);
    const second = confirmRun(script, CAPABILITIES);
    expect(await first).toBe(false);
    trustRequest()?.resolve(false);
    expect(await second).toBe(false);
    expect(pendingUntrusted()).toBe('template "x" (imported)');
    markTrusted();
  });
});

describe('exposed parameter candidates', () => {
  test('offers capability call arguments and option values with their paths', () => {
    expect(exposedCandidates(script)).toEqual([
      { path: [1, 2, 3], label: 'textToImage argument 1', type: 'text' },
      { path: [1, 2, 4, 'steps'], label: 'textToImage steps', type: 'integer' },
      { path: [1, 2, 4, 'seed'], label: 'textToImage seed', type: 'seed' },
      { path: [1, 2, 4, 'width'], label: 'textToImage width', type: 'integer' },
      { path: [1, 2, 4, 'height'], label: 'textToImage height', type: 'integer' },
      { path: [2, 4, 'model'], label: 'upscale model', type: 'text' },
      { path: [2, 4, 'factor'], label: 'upscale factor', type: 'integer' },
    ]);
  });

  test('labels come from the metadata; an input image is an image parameter, not its hash', () => {
    const image = { $image: 'a'.repeat(64), width: 64, height: 64 };
    const call = [
      'std.call_method',
      ['get_capability', 'diffusers.generate'],
      'textToImage',
      'a fox',
      { steps: 4, init: image },
    ];
    expect(exposedCandidates(call, CAPABILITIES)).toEqual([
      { path: [3], label: 'Text to image · prompt', type: 'text' },
      { path: [4, 'steps'], label: 'Text to image · steps', type: 'integer' },
      { path: [4, 'init'], label: 'Text to image · init', type: 'image' },
    ]);
    const upscale = ['std.call_method', ['get_capability', 'upscale'], 'upscale', image, {}];
    expect(exposedCandidates(upscale).map((param) => param.type)).toEqual(['image']);
  });
});
