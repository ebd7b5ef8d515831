import { afterAll, expect, test } from 'bun:test';
import { RpcCallError, RpcClient } from '../src/rpc/rpc-client.ts';

/**
 * A real Bun WebSocket JSON-RPC peer whose behaviour each test steers: `plugin_rpc` echoes its
 * params, `job.list` notifies first, `get_opcodes` never answers, anything else fails.
 */
let dropNext = false;
const server = Bun.serve({
  port: 0,
  fetch(request, bunServer) {
    return bunServer.upgrade(request) ? undefined : new Response('ws only', { status: 400 });
  },
  websocket: {
    message(socket, raw) {
      const request = JSON.parse(String(raw)) as { id: number; method: string; params?: unknown };
      if (dropNext) {
        dropNext = false;
        socket.close();
        return;
      }
      if (request.method === 'plugin_rpc')
        socket.send(JSON.stringify({ jsonrpc: '2.0', id: request.id, result: request.params }));
      else if (request.method === 'job.list') {
        socket.send(
          JSON.stringify({
            jsonrpc: '2.0',
            method: 'job.progress',
            params: { job_id: 'j1', fraction: 0.5 },
          }),
        );
        socket.send(JSON.stringify({ jsonrpc: '2.0', id: request.id, result: [] }));
      } else if (request.method === 'get_opcodes') {
        // never answers: the client's timeout must settle the call
      } else
        socket.send(
          JSON.stringify({
            jsonrpc: '2.0',
            id: request.id,
            error: {
              code: -32000,
              message: 'boom',
              data: { code: 'TypeError', message: 'bad thing', path: [2] },
            },
          }),
        );
    },
  },
});
afterAll(() => server.stop(true));

const url = `ws://127.0.0.1:${server.port}`;
const opened = (client: RpcClient) =>
  new Promise<void>((resolve) => {
    if (client.state === 'open') resolve();
    const off = client.onState((state) => {
      if (state === 'open') {
        off();
        resolve();
      }
    });
  });

test('requests resolve by id; error responses reject with code, data and path', async () => {
  const client = new RpcClient(url);
  await opened(client);
  const echo = { method: 'test.echo', params: { a: 1 } };
  expect(await client.call('plugin_rpc', echo)).toEqual(echo);
  const error = await client.call('job.get', { job_id: 'nope' }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(RpcCallError);
  expect((error as RpcCallError).data).toEqual({
    code: 'TypeError',
    message: 'bad thing',
    path: [2],
  });
  client.close();
});

test('notifications reach subscribers before the reply settles', async () => {
  const client = new RpcClient(url);
  await opened(client);
  const seen: unknown[] = [];
  client.on('job.progress', (params) => seen.push(params));
  await client.call('job.list');
  expect(seen).toEqual([{ job_id: 'j1', fraction: 0.5 }]);
  client.close();
});

test('timeouts and lost connections settle pending calls; the client reconnects by itself', async () => {
  const client = new RpcClient(url, { timeoutMs: 100, backoffMs: 20 });
  await opened(client);
  expect(await client.call('get_opcodes').catch((error: Error) => error.message)).toContain(
    'timed out',
  );
  const states: string[] = [];
  client.onState((state) => states.push(state));
  dropNext = true;
  expect(
    await client
      .call('plugin_rpc', { method: 'test.echo', params: 1 })
      .catch((error: Error) => error.message),
  ).toContain('connection lost');
  await opened(client);
  expect(states).toEqual(['reconnecting', 'open']);
  expect(await client.call('plugin_rpc', { method: 'test.echo', params: 2 })).toEqual({
    method: 'test.echo',
    params: 2,
  });
  client.close();
  expect(
    await client
      .call('plugin_rpc', { method: 'test.echo', params: 3 })
      .catch((error: Error) => error.message),
  ).toContain('not connected');
});
