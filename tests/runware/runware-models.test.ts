/**
 * `settings.runware.models` over the real server and a real WebSocket, with the runware plugin
 * pointed at the protocol-faithful stand-in: the popular list without a key (nothing sent),
 * Runware's modelSearch once a key is set, every bad param named, any user may search, and the
 * key in no reply, notification or log line.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createCanvasPlugin } from '@viwo/core';
import { createRunwarePlugin, POPULAR_MODELS } from '@viwo/plugin-runware';
import { type RunwareStandIn, startRunwareStandIn } from '@viwo/plugin-runware/testing';
import type { RunwareModelsResult } from '@viwo/protocol';
import { TestRpcClient } from '../server/rpc-client.ts';
import { startTestServer, type TestServer } from '../server/server-harness.ts';

/** Distinctive keys, so any leak is found by a plain substring search. */
const KEY = 'rw-MODELS-LEAKCHECK-5d1c9e7a';
const WRONG_KEY = 'rw-WRONG-LEAKCHECK-0b8f2a64';

let standIn: RunwareStandIn;
let server: TestServer;
let owner: TestRpcClient;
const logs: string[] = [];
const consoleError = console.error;

const searches = () => standIn.received.filter((entry) => entry.task.taskType === 'modelSearch');

beforeAll(async () => {
  console.error = (...parts: unknown[]) => {
    logs.push(parts.map(String).join(' '));
  };
  standIn = startRunwareStandIn({ apiKeys: [KEY] });
  // No key anywhere yet: the owner sets one through Settings in the tests below.
  server = await startTestServer({
    plugins: [createCanvasPlugin(), createRunwarePlugin({ url: standIn.url, env: {} })],
  });
  owner = await TestRpcClient.connect(server.wsUrl);
});

afterAll(async () => {
  console.error = consoleError;
  owner.close();
  await server.stop();
  await standIn.stop();
});

describe('settings.runware.models over the real server', () => {
  test('without a key: the popular list, key_set false, and nothing sent to Runware', async () => {
    const answer = await owner.call<RunwareModelsResult>('settings.runware.models', {
      search: 'juggernaut',
    });
    expect(answer).toMatchObject({ key_set: false, total: null });
    expect(answer.models.map((model) => model.air)).toEqual(POPULAR_MODELS.map((m) => m.id));
    expect(answer.models.every((model) => model.source === 'popular')).toBe(true);
    expect(standIn.connections()).toBe(0);
  });

  test('bad params are refused with -32602 naming the param, before anything is sent', async () => {
    const cases: [unknown, string][] = [
      [{ search: 5 }, 'search'],
      [{ search: 'x'.repeat(201) }, 'search'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 101 }, 'limit'],
      [{ limit: 2.5 }, 'limit'],
      [{ limit: '20' }, 'limit'],
      [{ offset: -1 }, 'offset'],
      [{ offset: 10_001 }, 'offset'],
      [{ serach: 'typo' }, 'serach'],
    ];
    for (const [params, name] of cases) {
      const reply = await owner.request('settings.runware.models', params);
      expect(reply.error).toMatchObject({ code: -32602, data: { parameter: name } });
      expect((reply.error as { message: string }).message).toContain(`'${name}'`);
    }
    const notObject = await owner.request('settings.runware.models', ['juggernaut']);
    expect(notObject.error).toMatchObject({ code: -32602 });
    expect(standIn.connections()).toBe(0);
  });

  test("with a key: Runware's modelSearch, paged, with total and only the shown fields", async () => {
    await owner.call('settings.runware.set_key', { api_key: KEY });
    const popular = await owner.call<RunwareModelsResult>('settings.runware.models');
    expect(popular).toMatchObject({ key_set: true, total: null });
    expect(searches()).toHaveLength(0);

    const answer = await owner.call<RunwareModelsResult>('settings.runware.models', {
      search: 'sdxl',
      limit: 2,
      offset: 0,
    });
    expect(searches().at(-1)!.task).toMatchObject({ search: 'sdxl', limit: 2, offset: 0 });
    expect(answer.key_set).toBe(true);
    expect(answer.total).toBe(4); // Juggernaut XL, RealVisXL, SD XL, SDXL Canny
    expect(answer.models.map((model) => model.name)).toEqual(['Juggernaut XL', 'RealVisXL']);
    expect(answer.models[0]).toEqual({
      air: 'civitai:133005@782002',
      name: 'Juggernaut XL',
      architecture: 'sdxl',
      category: 'checkpoint',
      type: 'base',
      version: 'XI',
      source: 'search',
    });
    const next = await owner.call<RunwareModelsResult>('settings.runware.models', {
      search: 'sdxl',
      limit: 2,
      offset: 2,
    });
    expect(next.models.map((model) => model.air)).toEqual([
      'civitai:101055@128078',
      'runware:20@1',
    ]);
    expect(next.models[1]).toMatchObject({ category: 'controlnet' });
    expect(JSON.stringify([answer, next])).not.toContain('heroImage');
  });

  test('any signed-in user may search; none may read the key', async () => {
    const alice = server.runtime.users.add('alice-models').token;
    const client = await TestRpcClient.connect(`${server.wsUrl}?token=${alice}`);
    try {
      const answer = await client.call<RunwareModelsResult>('settings.runware.models', {
        search: 'dreamshaper',
      });
      expect(answer.models).toEqual([
        expect.objectContaining({ air: 'civitai:4384@128713', source: 'search' }),
      ]);
      expect(await client.call('settings.runware.get')).toMatchObject({
        configured: true,
        can_set_key: false,
      });
      expect(JSON.stringify(client.messages)).not.toContain(KEY);
    } finally {
      client.close();
      server.runtime.users.remove('alice-models');
    }
  });

  test('a rejected key and an echoing peer: clear errors, the key in no reply or log', async () => {
    // With users gone again, the loopback owner may set a key the stand-in does not accept.
    await owner.call('settings.runware.set_key', { api_key: WRONG_KEY });
    const rejected = await owner.request('settings.runware.models', { search: 'flux' });
    expect(rejected.error).toMatchObject({ code: -32000, data: { code: 'CapabilityDenied' } });
    expect((rejected.error as { message: string }).message).toContain(
      'Runware rejected the API key',
    );
    await owner.call('settings.runware.set_key', { api_key: KEY });
    standIn.inject('modelSearch', 'echo-key');
    const echoed = await owner.request('settings.runware.models', { search: 'flux' });
    expect(JSON.stringify(echoed.error)).toContain('[redacted]');
    const seen = JSON.stringify([owner.messages, logs]);
    expect(seen).not.toContain(KEY);
    expect(seen).not.toContain(WRONG_KEY);
  });

  test('searches are held to 30 a minute per user; the popular list stays free', async () => {
    // A server of its own, so earlier tests' searches do not count.
    const limited = await startTestServer({
      plugins: [
        createCanvasPlugin(),
        createRunwarePlugin({ url: standIn.url, env: { RUNWARE_API_KEY: KEY } }),
      ],
    });
    const client = await TestRpcClient.connect(limited.wsUrl);
    try {
      const before = searches().length;
      for (let index = 0; index < 30; index++) {
        await client.call('settings.runware.models', { search: `flux ${index}` });
      }
      const refused = await client.request('settings.runware.models', { search: 'one more' });
      expect(refused.error).toMatchObject({ code: -32000, data: { code: 'TooManyRequests' } });
      expect((refused.error as { data: { message: string } }).data.message).toMatch(
        /at most 30 Runware model searches a minute; try again in \d+ s/,
      );
      // The refused search never reached Runware; the popular list needs no search.
      expect(searches().length - before).toBe(30);
      const popular = await client.call<RunwareModelsResult>('settings.runware.models', {});
      expect(popular.models.length).toBeGreaterThan(0);
    } finally {
      client.close();
      await limited.stop();
    }
  });
});
