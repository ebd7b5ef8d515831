import { afterAll, beforeAll, expect, test } from 'bun:test';
import { historyApi } from '../../apps/imagegen/src/rpc/history-api.ts';
import { RpcClient } from '../../apps/imagegen/src/rpc/rpc-client.ts';
import { templateExportOf, templatesApi } from '../../apps/imagegen/src/rpc/templates-api.ts';
import { BUILTIN_TEMPLATES } from '../../apps/imagegen/src/templates/builtin-templates.ts';
import { startTestServer, type TestServer } from './server-harness.ts';

let harness: TestServer;
let rpc: RpcClient;

beforeAll(async () => {
  harness = await startTestServer();
  rpc = new RpcClient(harness.wsUrl);
  await new Promise<void>((resolve) => {
    if (rpc.state === 'open') resolve();
    const off = rpc.onState((state) => {
      if (state === 'open') {
        off();
        resolve();
      }
    });
  });
});
afterAll(async () => {
  rpc.close();
  await harness.stop();
});

test("the client's templates API round-trips through the real server with the protocol's shapes", async () => {
  const templates = templatesApi(rpc);
  const saved = await templates.save({ name: 'Sum', tags: ['math'], script: ['+', 1, 2] });
  expect(typeof saved.created).toBe('number');
  expect(saved).toMatchObject({ name: 'Sum', description: '', thumbnail: null, version: 1 });
  expect((await templates.list('Sum')).map((template) => template.id)).toEqual([saved.id]);
  expect(await templates.get(saved.id)).toEqual(saved);

  const exported = await templates.exportFile(saved.id);
  expect(exported).toEqual({ ...templateExportOf(saved) });
  expect(exported).toMatchObject({ kind: 'viwo-template', version: 2, thumbnail: null });

  const imported = await templates.importFile(exported);
  expect(imported.id).not.toBe(saved.id);
  expect(await templates.remove(imported.id)).toBe(true);
  expect(await templates.remove(imported.id)).toBe(false);
});

test('every built-in template exports to a file the server imports', async () => {
  const templates = templatesApi(rpc);
  for (const template of BUILTIN_TEMPLATES) {
    const imported = await templates.importFile(templateExportOf(template));
    expect(imported).toMatchObject({ name: template.name, script: template.script });
    await templates.remove(imported.id);
  }
});

test("the client's history API lists, favourites and deletes real jobs", async () => {
  const history = historyApi(rpc);
  const job = await rpc.call('execute_script', {
    script: ['std.call_method', ['get_capability', 'test'], 'render', 'a fox', { steps: 1 }],
  });
  const image = job.images[0];
  expect(image).toBeDefined();
  expect(await history.latestImage()).toEqual(image ?? null);
  const [entry] = await history.list({ limit: 1 });
  expect(entry?.job_id).toBe(job.job_id);
  expect((await history.favorite(entry!.id, true)).favorite).toBe(true);
  expect((await history.list({ favorite: true })).map((e) => e.id)).toEqual([entry!.id]);
  expect(await history.remove(entry!.id)).toBe(true);
  await expect(history.get(entry!.id)).rejects.toThrow('does not exist');
});
