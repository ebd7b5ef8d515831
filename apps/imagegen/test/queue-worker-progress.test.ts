import { afterAll, expect, test } from 'bun:test';
import { RpcClient } from '../src/rpc/rpc-client.ts';
import { createWorkbench } from '../src/state/workbench.ts';

/**
 * The queue panel's data: in queue mode the server's `job.progress` names the worker running the
 * call, and the workbench's job view carries it (the panel shows "on <worker>").
 */
const server = Bun.serve({
  port: 0,
  fetch(request, bunServer) {
    return bunServer.upgrade(request) ? undefined : new Response('ws only', { status: 400 });
  },
  websocket: {
    message(socket, raw) {
      const request = JSON.parse(String(raw)) as { id: number; method: string };
      if (request.method === 'job.list') {
        const progress = (worker?: string) =>
          socket.send(
            JSON.stringify({
              jsonrpc: '2.0',
              method: 'job.progress',
              params: {
                job_id: 'job_1',
                label: 'denoising',
                step: 1,
                total: 4,
                fraction: 0.25,
                eta_ms: null,
                ...(worker ? { worker } : {}),
              },
            }),
          );
        progress();
        progress('gpu-box-2');
      }
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: request.id, result: [] }));
    },
  },
});
afterAll(() => server.stop(true));

test('job.progress with a worker names it in the job view; without one it stays null', async () => {
  const rpc = new RpcClient(`ws://127.0.0.1:${server.port}`);
  const workbench = createWorkbench(rpc, ['std.seq']);
  const seen: (string | null)[] = [];
  rpc.on('job.progress', () => seen.push(workbench.jobs()[0]?.worker ?? null));
  await new Promise<void>((resolve) => {
    if (rpc.state === 'open') resolve();
    rpc.onState((state) => {
      if (state === 'open') resolve();
    });
  });
  await rpc.call('job.list');
  expect(seen).toEqual([null, 'gpu-box-2']);
  expect(workbench.jobs()[0]).toMatchObject({ jobId: 'job_1', worker: 'gpu-box-2' });
  rpc.close();
});
