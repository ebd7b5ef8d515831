import { afterAll, beforeAll, expect, test } from 'bun:test';
import { TestRpcClient } from './rpc-client.ts';
import { startTestServer, type TestServer } from './server-harness.ts';

let harness: TestServer;

beforeAll(async () => {
  harness = await startTestServer({ rpcLimits: { maxConcurrentJobs: 1 } });
});
afterAll(async () => {
  await harness.stop();
});

const slowRender = [
  'std.call_method',
  ['get_capability', 'test'],
  'render',
  'a prompt',
  { width: 4, height: 4, steps: 200, delay_ms: 20 },
];

test('a connection over its concurrent-job limit is refused; other connections are not', async () => {
  const busy = await TestRpcClient.connect(harness.wsUrl);
  const other = await TestRpcClient.connect(harness.wsUrl);
  try {
    const running = busy.request('execute_script', { script: slowRender });
    const first = await busy.waitFor((message) => message.method === 'job.progress');
    const jobId = (first.params as { job_id: string }).job_id;

    const refused = await busy.request('execute_script', { script: ['+', 1, 2] });
    expect(refused.error).toMatchObject({ code: -32000, data: { code: 'TooManyJobs' } });

    // The limit is per connection: another session still runs its script.
    const elsewhere = await other.call<{ result: unknown }>('execute_script', {
      script: ['+', 1, 2],
    });
    expect(elsewhere.result).toBe(3);

    await busy.call('job.cancel', { job_id: jobId });
    expect((await running).error).toMatchObject({ data: { code: 'Cancelled' } });
    // The slot is free again once the job ended.
    const after = await busy.call<{ result: unknown }>('execute_script', { script: ['+', 2, 2] });
    expect(after.result).toBe(4);
  } finally {
    busy.close();
    other.close();
  }
});
