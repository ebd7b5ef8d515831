import { afterAll, beforeAll, expect, test } from 'bun:test';
import { TestRpcClient } from './rpc-client.ts';
import { startTestServer, type TestServer } from './server-harness.ts';

let harness: TestServer;
let client: TestRpcClient;

beforeAll(async () => {
  harness = await startTestServer();
  client = await TestRpcClient.connect(harness.wsUrl);
});
afterAll(async () => {
  client.close();
  await harness.stop();
});

interface Template {
  id: string;
  name: string;
  tags: string[];
  script: unknown;
  version: number;
}

test('templates: save, list, get, export, import under a new id, delete', async () => {
  const saved = await client.call<Template>('templates.save', {
    name: 'Sum',
    description: 'adds two numbers',
    tags: ['math'],
    script: ['+', 1, 2],
  });
  expect(saved).toMatchObject({ name: 'Sum', tags: ['math'], script: ['+', 1, 2] });
  expect(typeof saved.id).toBe('string');

  const listed = await client.call<Template[]>('templates.list', { query: 'Sum' });
  expect(listed.map((template) => template.id)).toContain(saved.id);
  expect(await client.call('templates.get', { id: saved.id })).toMatchObject({ name: 'Sum' });

  const exported = await client.call<Record<string, unknown>>('templates.export', {
    id: saved.id,
  });
  expect(exported).toHaveProperty('version');
  const imported = await client.call<Template>('templates.import', { template: exported });
  expect(imported.id).not.toBe(saved.id);
  expect(imported.script).toEqual(['+', 1, 2]);

  expect(await client.call('templates.delete', { id: saved.id })).toEqual({ ok: true });
  expect(await client.call('templates.delete', { id: saved.id })).toEqual({ ok: false });
  const missing = await client.request('templates.get', { id: saved.id });
  expect(missing.error).toMatchObject({ code: -32000 });
  expect(JSON.stringify(missing.error)).toContain(saved.id);

  const badName = await client.request('templates.save', { script: [] });
  expect(badName.error).toMatchObject({ code: -32602 });
  expect(badName.error).toMatchObject({ message: expect.stringContaining("'name'") });
});

test('history: a finished job is listed, fetched, favorited and deleted', async () => {
  const run = await client.call<{ job_id: string }>('execute_script', {
    script: ['+', 40, 2],
  });
  const entries = await client.call<{ id: string; job_id: string; status: string }[]>(
    'history.list',
    { limit: 50 },
  );
  const entry = entries.find((item) => item.job_id === run.job_id);
  expect(entry).toBeDefined();
  const id = entry?.id ?? '';
  expect(await client.call('history.get', { id })).toMatchObject({ job_id: run.job_id });

  expect(await client.call('history.favorite', { id, value: true })).toMatchObject({
    favorite: true,
  });
  const favorites = await client.call<{ id: string }[]>('history.list', { favorite: true });
  expect(favorites.map((item) => item.id)).toContain(id);
  const notBoolean = await client.request('history.favorite', { id, value: 'yes' });
  expect(notBoolean.error).toMatchObject({ code: -32602 });
  expect(notBoolean.error).toMatchObject({ message: expect.stringContaining("'value'") });

  expect(await client.call('history.delete', { id })).toEqual({ ok: true });
  expect((await client.request('history.get', { id })).error).toMatchObject({ code: -32000 });
  const badLimit = await client.request('history.list', { limit: -1 });
  expect(badLimit.error).toMatchObject({ code: -32602 });
});
