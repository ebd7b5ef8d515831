/**
 * The server-side generation queue over a real WebSocket: pause, reorder, cancel, resume, retry,
 * clear finished; and items running when the server stopped run again on the next start.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestRpcClient } from './rpc-client.ts';
import { startTestServer, type TestServer } from './server-harness.ts';

interface Item {
  id: string;
  status: string;
  meta: { name?: string };
  started: number | null;
  rerun: boolean;
  owner?: string;
}
interface State {
  paused: boolean;
  items: Item[];
}

const render = (delay: number) => [
  'std.call_method',
  ['get_capability', 'test'],
  'render',
  'a queued fox',
  { width: 8, height: 8, steps: 3, delay_ms: delay },
];

const dirs: string[] = [];
const servers: TestServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.stop().catch(() => undefined);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function call<T>(client: TestRpcClient, method: string, params?: unknown): Promise<T> {
  const response = (await client.request(method, params)) as { result?: T; error?: unknown };
  if (response.error) throw new Error(JSON.stringify(response.error));
  return response.result as T;
}

/** Waits for a `queue.changed` whose state satisfies `done`. */
const changed = (client: TestRpcClient, done: (state: State) => boolean) =>
  client.waitFor(
    (message) => message.method === 'queue.changed' && done(message.params as State),
    30_000,
  );

describe('generation queue', () => {
  test('pause, reorder, cancel, resume, retry and clear finished', async () => {
    const server = await startTestServer();
    servers.push(server);
    const client = await TestRpcClient.connect(server.wsUrl);
    await call(client, 'queue.pause');
    const ids: string[] = [];
    for (const name of ['first', 'second', 'third'])
      ids.push(
        (await call<{ id: string }>(client, 'queue.submit', { script: render(5), meta: { name } }))
          .id,
      );
    let state = await call<State>(client, 'queue.move', { id: ids[2], index: 0 });
    expect(state.items.map((item) => item.meta.name)).toEqual(['third', 'first', 'second']);
    expect(state.paused).toBe(true);
    // Without users an item names no owner.
    expect(state.items.every((item) => !('owner' in item))).toBe(true);
    state = await call<State>(client, 'queue.cancel', { id: ids[0] });
    await call(client, 'queue.resume');
    const settled = await changed(
      client,
      (current) =>
        current.items.length === 3 &&
        current.items.every((item) => !['queued', 'running'].includes(item.status)),
    );
    state = settled.params as State;
    const byName = Object.fromEntries(state.items.map((item) => [item.meta.name, item]));
    expect(byName.first!.status).toBe('cancelled');
    expect(byName.second!.status).toBe('done');
    expect(byName.third!.status).toBe('done');
    expect(byName.third!.started!).toBeLessThanOrEqual(byName.second!.started!);

    const retried = await call<{ id: string }>(client, 'queue.retry', { id: ids[0] });
    await changed(client, (current) =>
      current.items.some((item) => item.id === retried.id && item.status === 'done'),
    );
    state = await call<State>(client, 'queue.clear');
    expect(state.items).toEqual([]);
    const refused = (await client.request('queue.cancel', { id: 'nope' })) as {
      error?: { code: number; message: string };
    };
    expect(refused.error?.code).toBe(-32602);
    client.socket.close();
  });

  test('an item running when the server stopped runs again on the next start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'viwo-queue-'));
    dirs.push(dataDir);
    const first = await startTestServer({ dataDir });
    const client = await TestRpcClient.connect(first.wsUrl);
    const { id } = await call<{ id: string }>(client, 'queue.submit', {
      script: render(400),
      meta: { name: 'interrupted' },
    });
    await changed(client, (state) =>
      state.items.some((item) => item.id === id && item.status === 'running'),
    );
    client.socket.close();
    await first.stop();

    const second = await startTestServer({ dataDir });
    servers.push(second);
    const again = await TestRpcClient.connect(second.wsUrl);
    const state = await call<State>(again, 'queue.list');
    expect(state.items.find((item) => item.id === id)?.rerun).toBe(true);
    const done = await changed(again, (current) =>
      current.items.some((item) => item.id === id && item.status === 'done'),
    ).catch(async () => ({ params: await call<State>(again, 'queue.list') }));
    const item = (done.params as State).items.find((candidate) => candidate.id === id)!;
    expect(item.status).toBe('done');
    expect(item.rerun).toBe(true);
    again.socket.close();
  });
});
