import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
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

const render = (options: Record<string, unknown>) => [
  'std.call_method',
  ['get_capability', 'test'],
  'render',
  'a prompt',
  options,
];

describe('jobs over the wire', () => {
  test('progress notifications arrive before the reply, job.done after it', async () => {
    const response = await client.request('execute_script', {
      script: render({ width: 8, height: 8, steps: 3 }),
    });
    const result = response.result as {
      job_id: string;
      result: { $image: string };
      images: unknown[];
    };
    expect(result.result.$image).toMatch(/^[0-9a-f]{64}$/);
    const replyIndex = client.messages.indexOf(response);
    const progress = client.messages.filter(
      (message) =>
        message.method === 'job.progress' &&
        (message.params as { job_id: string }).job_id === result.job_id,
    );
    expect(progress).toHaveLength(3);
    for (const message of progress)
      expect(client.messages.indexOf(message)).toBeLessThan(replyIndex);
    expect(progress.at(-1)?.params).toMatchObject({ step: 3, total: 3, fraction: 1 });
    const done = await client.waitFor(
      (message) =>
        message.method === 'job.done' &&
        (message.params as { job_id: string }).job_id === result.job_id,
    );
    expect(client.messages.indexOf(done)).toBeGreaterThan(replyIndex);
    expect(done.params).toMatchObject({ status: 'done' });
  });
  test('job.cancel stops a running job between steps', async () => {
    const pending = client.request('execute_script', {
      script: render({ width: 4, height: 4, steps: 200, delay_ms: 20 }),
    });
    const first = await client.waitFor(
      (message) =>
        message.method === 'job.progress' && (message.params as { total: number }).total === 200,
    );
    const jobId = (first.params as { job_id: string }).job_id;
    await client.call('job.cancel', { job_id: jobId });
    const response = await pending;
    expect(response.error).toMatchObject({ code: -32000, data: { code: 'Cancelled' } });
    const job = await client.call<{ status: string }>('job.get', { job_id: jobId });
    expect(job.status).toBe('cancelled');
  });
  test('capability handles: get, call, mint with bounds, delegate only narrower, revoke', async () => {
    const handle = await client.call<{ $cap: string; type: string }>('get_capability', {
      type: 'test',
    });
    expect(handle.type).toBe('test');
    expect(handle.$cap.length).toBeGreaterThanOrEqual(16);
    expect(
      await client.call('std.call_method', {
        object: handle,
        method: 'echo',
        args: ['hi', { repeat: 2 }],
      }),
    ).toBe('hihi');
    const bounded = await client.request('execute_script', {
      script: [
        'std.seq',
        [
          'std.let',
          'small',
          [
            'mint',
            ['get_capability', 'test'],
            'test',
            { methods: ['render'], bounds: { width: { max: 8 } } },
          ],
        ],
        [
          'std.call_method',
          ['std.var', 'small'],
          'render',
          'p',
          { width: 64, height: 4, steps: 1 },
        ],
      ],
    });
    expect((bounded.error as { data: { code: string; message: string } }).data.message).toContain(
      '8',
    );
    const denied = await client.request('execute_script', {
      script: [
        'std.seq',
        ['std.let', 'small', ['mint', ['get_capability', 'test'], 'test', { methods: ['render'] }]],
        ['std.call_method', ['std.var', 'small'], 'echo', 'x'],
      ],
    });
    expect((denied.error as { data: { code: string } }).data.code).toBe('CapabilityDenied');
    const widen = await client.request('execute_script', {
      script: [
        'std.seq',
        ['std.let', 'small', ['mint', ['get_capability', 'test'], 'test', { methods: ['echo'] }]],
        ['delegate', ['std.var', 'small'], { methods: ['echo', 'render'] }],
      ],
    });
    expect(widen.error).toBeDefined();
    const revoked = await client.request('execute_script', {
      script: [
        'std.seq',
        ['std.let', 'mine', ['mint', ['get_capability', 'test'], 'test', {}]],
        ['std.let', 'child', ['delegate', ['std.var', 'mine'], { methods: ['echo'] }]],
        ['revoke', ['std.var', 'mine']],
        ['std.call_method', ['std.var', 'child'], 'echo', 'x'],
      ],
    });
    expect((revoked.error as { data: { code: string } }).data.code).toBe('Revoked');
  });
  test('handles are valid only in the session that holds them', async () => {
    const handle = await client.call('get_capability', { type: 'test' });
    const other = await TestRpcClient.connect(harness.wsUrl);
    const response = await other.request('std.call_method', {
      object: handle,
      method: 'echo',
      args: ['x'],
    });
    expect((response.error as { code: number }).code).toBe(-32000);
    other.close();
  });
  test('plugin_rpc calls "<type>.<method>"', async () => {
    expect(await client.call('plugin_rpc', { method: 'test.echo', params: ['yo'] })).toBe('yo');
    expect(
      ((await client.request('plugin_rpc', { method: 'nodot' })).error as { code: number }).code,
    ).toBe(-32602);
  });
  test('a client that disconnects keeps its job; reconnecting finds it in history', async () => {
    const leaving = await TestRpcClient.connect(harness.wsUrl);
    leaving.send({
      jsonrpc: '2.0',
      id: 1,
      method: 'execute_script',
      params: { script: render({ width: 4, height: 4, steps: 5, delay_ms: 30 }) },
    });
    const first = await leaving.waitFor((message) => message.method === 'job.progress');
    const jobId = (first.params as { job_id: string }).job_id;
    leaving.close();
    const back = await TestRpcClient.connect(harness.wsUrl);
    for (let attempt = 0; attempt < 100; attempt++) {
      const job = await back.call<{ status: string }>('job.get', { job_id: jobId });
      if (job.status === 'done') break;
      await Bun.sleep(50);
    }
    const history = await back.call<{ job_id: string; status: string; images: unknown[] }[]>(
      'history.list',
      {},
    );
    const entry = history.find((item) => item.job_id === jobId);
    expect(entry?.status).toBe('done');
    expect(entry?.images.length).toBe(1);
    back.close();
  });
  test('canvas scripts run headless and return the composite', async () => {
    const result = await client.call<{ result: { width: number }; images: { $image: string }[] }>(
      'execute_script',
      {
        script:
          '(std.seq (canvas.init 32 16 "#ffffff") (canvas.layer.create "a" "A" "raster") (canvas.draw_stroke "a" (std.quote ((2 2) (30 14))) "#ff0000" 4 "brush") (canvas.composite))',
      },
    );
    expect(result.result.width).toBe(32);
    expect(result.images.length).toBeGreaterThan(0);
    const bad = await client.request('execute_script', {
      script: '(canvas.draw_stroke "missing" (std.quote ((1 1))) "#000" 3 "brush")',
    });
    expect(bad.error).toMatchObject({ data: { code: 'InvalidArgument', path: [] } });
  });
});
