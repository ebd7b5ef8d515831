/**
 * Process-wide attacks on shared state and compute (issue 16, "High"): prototype pollution through
 * restriction keys, unbounded client gas, no global job or connection limit.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { TestRpcClient } from './rpc-client.ts';
import { startTestServer, type TestServer } from './server-harness.ts';

let harness: TestServer;

beforeAll(async () => {
  harness = await startTestServer({
    runtimeOptions: { limits: { maxGas: 200_000 }, maxConcurrentJobs: 1 },
  });
});
afterAll(async () => harness.stop());

const render = (steps: number, delay: number) => [
  'std.call_method',
  ['get_capability', 'test'],
  'render',
  'a prompt',
  { width: 4, height: 4, steps, delay_ms: delay },
];

describe('prototype pollution through restrictions', () => {
  const attacks: [string, string][] = [
    ['get_capability shorthand', '{"type":"test","filter":{"max___proto__":1}}'],
    ['get_capability min shorthand', '{"type":"test","filter":{"min___proto__":1}}'],
    ['get_capability bounds', '{"type":"test","filter":{"bounds":{"__proto__":{"max":1}}}}'],
    ['constructor key', '{"type":"test","filter":{"bounds":{"constructor":{"max":1}}}}'],
  ];
  for (const [name, params] of attacks) {
    test(`${name} is refused and pollutes nothing`, async () => {
      const attacker = await TestRpcClient.connect(harness.wsUrl);
      const victim = await TestRpcClient.connect(harness.wsUrl);
      try {
        // Raw JSON text: `__proto__` arrives as an own key, as a real attacker sends it.
        attacker.send(`{"jsonrpc":"2.0","id":1,"method":"get_capability","params":${params}}`);
        const reply = await attacker.waitFor((message) => message.id === 1);
        expect(reply.error).toMatchObject({ data: { code: 'InvalidArgument' } });
        expect(({} as Record<string, unknown>).max).toBeUndefined();
        expect(({} as Record<string, unknown>).min).toBeUndefined();
        // Another session's parameter checks are unaffected.
        const ok = await victim.call<{ result: string }>('execute_script', {
          script: render(3, 0),
        });
        expect(ok.result).toMatchObject({ width: 4, height: 4 });
      } finally {
        attacker.close();
        victim.close();
      }
    });
  }

  test('delegate with a __proto__ bound inside a script is refused', async () => {
    const client = await TestRpcClient.connect(harness.wsUrl);
    try {
      const reply = await client.request('execute_script', {
        script: [
          'delegate',
          ['get_capability', 'test'],
          ['json.parse', '{"bounds":{"__proto__":{"max":1}}}'],
        ],
      });
      expect(reply.error).toMatchObject({ data: { code: 'InvalidArgument' } });
      expect(({} as Record<string, unknown>).max).toBeUndefined();
    } finally {
      client.close();
    }
  });
});

describe('compute and connection limits', () => {
  test('a client asking for 1e15 gas gets the server maximum, and is told', async () => {
    const client = await TestRpcClient.connect(harness.wsUrl);
    try {
      const reply = await client.request('execute_script', {
        script: ['std.while', true, null],
        gas: 1e15,
      });
      expect(reply.error).toMatchObject({ data: { code: 'OutOfGas' } });
      expect(String((reply.error as { message: string }).message)).toContain('200000');
      const log = client.messages.find((message) => message.method === 'job.log');
      expect(JSON.stringify(log?.params)).toContain('over the server maximum');
    } finally {
      client.close();
    }
  });

  test('jobs past the global limit wait as queued instead of being refused', async () => {
    const first = await TestRpcClient.connect(harness.wsUrl);
    const second = await TestRpcClient.connect(harness.wsUrl);
    try {
      const running = first.request('execute_script', { script: render(200, 5) });
      const started = await first.waitFor((message) => message.method === 'job.progress');
      const firstId = (started.params as { job_id: string }).job_id;
      const waiting = second.request('execute_script', { script: ['+', 1, 2] });
      // The second job exists and is queued while the first holds the only slot.
      let queued: { job_id: string; status: string } | undefined;
      while (!queued) {
        const jobs = await second.call<{ job_id: string; status: string }[]>('job.list', {});
        queued = jobs.find((job) => job.job_id !== firstId && job.status !== 'done');
      }
      expect(queued.status).toBe('queued');
      await first.call('job.cancel', { job_id: firstId });
      expect((await running).error).toMatchObject({ data: { code: 'Cancelled' } });
      const answer = await waiting;
      expect((answer.result as { result: number }).result).toBe(3);
    } finally {
      first.close();
      second.close();
    }
  });

  test('a queued job can be cancelled before it starts', async () => {
    const client = await TestRpcClient.connect(harness.wsUrl);
    try {
      const running = client.request('execute_script', { script: render(200, 5) });
      const started = await client.waitFor((message) => message.method === 'job.progress');
      const firstId = (started.params as { job_id: string }).job_id;
      const waiting = client.request('execute_script', { script: ['+', 1, 2] });
      let queuedId: string | undefined;
      while (!queuedId) {
        const jobs = await client.call<{ job_id: string; status: string }[]>('job.list', {});
        queuedId = jobs.find((job) => job.status === 'queued')?.job_id;
      }
      await client.call('job.cancel', { job_id: queuedId });
      expect((await waiting).error).toMatchObject({ data: { code: 'Cancelled' } });
      await client.call('job.cancel', { job_id: firstId });
      await running;
      const entry = await client.call<{ status: string }>('history.get', { id: queuedId });
      expect(entry.status).toBe('cancelled');
    } finally {
      client.close();
    }
  });

  test('connections past the global limit are refused with 503; /health still answers', async () => {
    const small = await startTestServer({ maxConnections: 3 });
    const clients: TestRpcClient[] = [];
    try {
      for (let index = 0; index < 3; index++)
        clients.push(await TestRpcClient.connect(small.wsUrl));
      await expect(TestRpcClient.connect(small.wsUrl)).rejects.toThrow();
      const refused = await fetch(`http://127.0.0.1:${small.server.port}/rpc`, {
        headers: {
          upgrade: 'websocket',
          connection: 'Upgrade',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'sec-websocket-version': '13',
        },
      });
      expect(refused.status).toBe(503);
      const health = await fetch(`http://127.0.0.1:${small.server.port}/health`);
      expect(health.status).toBe(200);
    } finally {
      for (const client of clients) client.close();
      await small.stop();
    }
  });
});

describe('bounds limit the effect, not one parameter', () => {
  test('a handle with max_factor 2 cannot produce 4000×4000 through width/height', async () => {
    const { createUpscalePlugin } = await import('@viwo/plugin-upscale');
    const withUpscale = await startTestServer({ plugins: [createUpscalePlugin({ models: [] })] });
    const client = await TestRpcClient.connect(withUpscale.wsUrl);
    try {
      const png = await (await import('sharp'))
        .default({
          create: { width: 40, height: 40, channels: 3, background: '#808080' },
        })
        .png()
        .toBuffer();
      const image = await withUpscale.runtime.images.putEncoded(new Uint8Array(png));
      const bounded = ['get_capability', 'upscale', { max_factor: 2 }];
      const call = (options: Record<string, unknown>) =>
        client.request('execute_script', {
          script: ['std.call_method', bounded, 'upscaleTraditional', image, options],
        });
      const explicit = await call({ width: 4000, height: 4000 });
      expect(explicit.error).toMatchObject({ data: { code: 'CapabilityDenied' } });
      expect(JSON.stringify(explicit.error)).toContain('effective factor is 100');
      const widthOnly = await call({ width: 4000 });
      expect(widthOnly.error).toMatchObject({ data: { code: 'CapabilityDenied' } });
      const within = await call({ width: 80 });
      expect((within.result as { result: { width: number } }).result.width).toBe(80);
      const byFactor = await call({ factor: 2 });
      expect((byFactor.result as { result: { width: number } }).result.width).toBe(80);
    } finally {
      client.close();
      await withUpscale.stop();
    }
  });
});
