import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { RunwareModelsResult } from '@viwo/protocol';
import { POPULAR_MODELS } from '../src/index.ts';
import { call, type RunwareFixture, runwareFixture, TEST_KEY } from './support/runware-fixture.ts';

let fixture: RunwareFixture;

beforeAll(async () => {
  fixture = await runwareFixture();
});

afterAll(async () => {
  await fixture.dispose();
});

async function search(
  target: RunwareFixture,
  options?: Record<string, unknown>,
): Promise<RunwareModelsResult> {
  const script = options === undefined ? call('searchModels') : call('searchModels', options);
  return (await target.session.executeScript(script)).result as RunwareModelsResult;
}

const searches = (target: RunwareFixture) =>
  target.standIn.received.filter((entry) => entry.task.taskType === 'modelSearch');

/** A failed job's error as the caller sees it (a ScriptError carrying the capability's code). */
async function failure(work: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await work;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected the call to fail');
}

describe('runware searchModels', () => {
  test('without search text: the popular list, nothing sent to Runware', async () => {
    const answer = await search(fixture);
    expect(answer.key_set).toBe(true);
    expect(answer.total).toBeNull();
    expect(answer.models.map((model) => model.air)).toEqual(POPULAR_MODELS.map((m) => m.id));
    expect(answer.models[0]).toEqual({
      air: 'runware:101@1',
      name: 'FLUX.1 [dev]',
      architecture: 'flux1d',
      category: 'checkpoint',
      source: 'popular',
    });
    expect(await search(fixture, { search: '   ', limit: 2, offset: 1 })).toMatchObject({
      models: [{ air: 'runware:100@1' }, { air: 'civitai:4384@128713' }],
    });
    expect(searches(fixture)).toHaveLength(0);
  });

  test('a search runs modelSearch with Runware field names and lists only what we show', async () => {
    const answer = await search(fixture, { search: ' Photorealistic ', limit: 2, offset: 1 });
    const task = searches(fixture).at(-1)!.task;
    expect(task).toMatchObject({ taskType: 'modelSearch', search: 'Photorealistic', limit: 2 });
    expect(task.offset).toBe(1);
    expect(typeof task.taskUUID).toBe('string');
    // Four catalogue entries carry the tag; the page is the second and third.
    expect(answer.total).toBe(4);
    expect(answer.models).toEqual([
      {
        air: 'civitai:133005@782002',
        name: 'Juggernaut XL',
        architecture: 'sdxl',
        category: 'checkpoint',
        type: 'base',
        version: 'XI',
        source: 'search',
      },
      {
        air: 'civitai:139562@344487',
        name: 'RealVisXL',
        architecture: 'sdxl',
        category: 'checkpoint',
        type: 'base',
        version: 'V4.0',
        source: 'search',
      },
    ]);
    // heroImage (a URL on Runware's host), tags and defaults never reach a client.
    expect(JSON.stringify(answer)).not.toContain('heroImage');
    expect(JSON.stringify(answer)).not.toContain('runware.ai');
  });

  test('a peer answering far more than asked, with huge names, is bounded', async () => {
    fixture.standIn.inject('modelSearch', 'oversize');
    const answer = await search(fixture, { search: 'anything', limit: 20 });
    expect(answer.models).toHaveLength(20);
    for (const model of answer.models) expect(model.name.length).toBeLessThanOrEqual(200);
    expect(JSON.stringify(answer).length).toBeLessThan(20 * 600);
  });

  test('bad options are refused by their path before anything is sent', async () => {
    const before = searches(fixture).length;
    for (const [options, path] of [
      [{ limit: 0 }, 'options.limit'],
      [{ limit: 101 }, 'options.limit'],
      [{ offset: -1 }, 'options.offset'],
      [{ search: 'x'.repeat(201) }, 'options.search'],
      [{ serach: 'typo' }, 'options.serach'],
    ] as const) {
      const error = await failure(search(fixture, options));
      expect(error.code).toBe('InvalidArgument');
      expect(error.message).toContain(path);
    }
    expect(searches(fixture)).toHaveLength(before);
  });

  test("Runware's refusal and an echoed key reach the caller scrubbed", async () => {
    fixture.standIn.inject('modelSearch', 'echo-key');
    const error = await failure(search(fixture, { search: 'flux' }));
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(TEST_KEY);
    expect(fixture.logs.join('\n')).not.toContain(TEST_KEY);
  });

  test('without a key: the popular list and key_set false, no connection made', async () => {
    const keyless = await runwareFixture({ apiKey: undefined });
    try {
      const answer = await search(keyless, { search: 'juggernaut' });
      expect(answer.key_set).toBe(false);
      expect(answer.total).toBeNull();
      expect(answer.models.every((model) => model.source === 'popular')).toBe(true);
      expect(keyless.standIn.connections()).toBe(0);
      expect(keyless.standIn.received).toHaveLength(0);
    } finally {
      await keyless.dispose();
    }
  });

  test('a key Runware rejects: CapabilityDenied, the key not in the message', async () => {
    const wrong = 'wrong-key-ABCDEFGH12345';
    const rejected = await runwareFixture({ apiKey: wrong });
    try {
      const error = await failure(search(rejected, { search: 'flux' }));
      expect(error.code).toBe('CapabilityDenied');
      expect(error.message).toContain('Runware rejected the API key');
      expect(error.message).not.toContain(wrong);
      expect(rejected.standIn.received[0]!.task).toMatchObject({ taskType: 'authentication' });
    } finally {
      await rejected.dispose();
    }
  });
});
