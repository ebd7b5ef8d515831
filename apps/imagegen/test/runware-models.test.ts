import { describe, expect, test } from 'bun:test';
import type { RunwareModelInfo } from '@viwo/protocol';
import fc from 'fast-check';
import {
  LatestOnly,
  MAX_SEARCH_TEXT,
  modelFacts,
  resultSummary,
  SEARCH_LIMIT,
  searchParams,
  useBlockedReason,
} from '../src/models/runware-models.ts';

const juggernaut: RunwareModelInfo = {
  air: 'civitai:133005@782002',
  name: 'Juggernaut XL',
  architecture: 'sdxl',
  category: 'checkpoint',
  type: 'base',
  version: 'XI',
  source: 'search',
};

describe("the Models drawer's Runware section logic", () => {
  test('search text: trimmed and clipped; none (or only spaces) asks for the popular list', () => {
    expect(searchParams('')).toEqual({ limit: SEARCH_LIMIT });
    expect(searchParams('   ')).toEqual({ limit: SEARCH_LIMIT });
    expect(searchParams('  sdxl ')).toEqual({ search: 'sdxl', limit: SEARCH_LIMIT });
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (typed) => {
        const params = searchParams(typed);
        if (params.search === undefined) return typed.trim() === '';
        return (
          params.search.length > 0 &&
          params.search.length <= MAX_SEARCH_TEXT &&
          typed.includes(params.search)
        );
      }),
    );
  });

  test('facts read architecture · category · version, leaving out what is unknown', () => {
    expect(modelFacts(juggernaut)).toBe('sdxl · checkpoint · vXI');
    expect(modelFacts({ air: 'runware:1@1', name: 'x', source: 'popular' })).toBe('');
    expect(modelFacts({ ...juggernaut, type: 'inpainting', version: undefined })).toBe(
      'sdxl · inpainting · checkpoint',
    );
  });

  test('"Use" takes checkpoints by an AIR id Layer Mode accepts, and says why not otherwise', () => {
    expect(useBlockedReason(juggernaut)).toBeNull();
    expect(useBlockedReason({ ...juggernaut, category: undefined })).toBeNull();
    expect(useBlockedReason({ ...juggernaut, category: 'lora' })).toContain('not a base model');
    expect(useBlockedReason({ ...juggernaut, air: 'flux-dev' })).toContain(
      'not an AIR id Layer Mode accepts',
    );
    // Named (non-numeric) model and version parts are AIR ids too.
    expect(useBlockedReason({ ...juggernaut, air: 'bfl:flux-kontext@1.1' })).toBeNull();
  });

  test('the summary says popular, how many matched, or that none did', () => {
    const one = { models: [juggernaut], total: 1, key_set: true };
    expect(resultSummary({ ...one, total: null }, undefined)).toBe('Popular models');
    expect(resultSummary(one, 'jugg')).toBe('1 model matches “jugg”');
    expect(resultSummary({ ...one, total: 345 }, 'xl')).toBe('345 models match “xl” (first 1)');
    expect(resultSummary({ ...one, models: [], total: 0 }, 'zzz')).toBe(
      'No Runware model matches “zzz”',
    );
  });

  test('only the newest search may show its answer', () => {
    const latest = new LatestOnly();
    const first = latest.next();
    const second = latest.next();
    expect(latest.isCurrent(first)).toBe(false);
    expect(latest.isCurrent(second)).toBe(true);
  });
});
