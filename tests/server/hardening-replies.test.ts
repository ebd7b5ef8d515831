/**
 * Attacks on the reply path (issue 16, "Critical"): each one used to crash the process or take it
 * down with an oversized string. Real server, real WebSocket, msgpack where the attack used it.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { join } from 'node:path';
import { TestRpcClient } from './rpc-client.ts';
import { startTestServer, type TestServer } from './server-harness.ts';

let harness: TestServer;

beforeAll(async () => {
  harness = await startTestServer({ rpcLimits: { maxConcurrentJobs: 20 } });
});
afterAll(async () => {
  await harness.stop();
});

async function healthy(): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${harness.server.port}/health`);
  expect(response.status).toBe(200);
}

const lambda = ['std.lambda', ['x'], 'x'];

/** A script whose result is a string of `1024 × 2^doublings` characters (built by doubling). */
function bigString(doublings: number): unknown {
  return [
    'std.seq',
    ['std.let', 's', 'x'.repeat(1024)],
    [
      'std.for',
      'i',
      ['list.new', ...Array.from({ length: doublings }, (_, index) => index)],
      ['std.set', 's', ['str.concat', ['std.var', 's'], ['std.var', 's']]],
    ],
    ['std.var', 's'],
  ];
}

test('a msgpack request whose result is a lambda gets a marker, and the server lives', async () => {
  const client = await TestRpcClient.connect(harness.wsUrl);
  try {
    const reply = await client.request('execute_script', { script: lambda }, true);
    expect(reply.error).toBeUndefined();
    expect((reply.result as { result: unknown }).result).toEqual({ $lambda: ['x'] });
    await healthy();
  } finally {
    client.close();
  }
});

test('a lambda left in job.list by a JSON client does not crash the next msgpack client', async () => {
  const json = await TestRpcClient.connect(harness.wsUrl);
  const binary = await TestRpcClient.connect(harness.wsUrl);
  try {
    await json.call('execute_script', { script: ['list.new', lambda, 1] });
    // Both are the same principal ('local'), so the msgpack client lists the JSON client's job.
    const listed = await binary.request('job.list', {}, true);
    expect(listed.error).toBeUndefined();
    const jobs = listed.result as { result?: unknown }[];
    expect(jobs.some((job) => JSON.stringify(job.result) === '[{"$lambda":["x"]},1]')).toBe(true);
    await healthy();
  } finally {
    json.close();
    binary.close();
  }
});

test('a batch longer than 100 requests is refused whole with -32600', async () => {
  const client = await TestRpcClient.connect(harness.wsUrl);
  try {
    const batch = Array.from({ length: 101 }, (_, index) => ({
      jsonrpc: '2.0',
      id: index,
      method: 'get_opcodes',
    }));
    client.send(batch);
    const reply = await client.waitFor((message) => message.id === null);
    expect(reply.error).toMatchObject({ code: -32600 });
    expect(String((reply.error as { message: string }).message)).toContain('at most 100');
    await healthy();
  } finally {
    client.close();
  }
});

test('job.list clamps a huge limit; a large result is kept as a marker, not in full', async () => {
  const client = await TestRpcClient.connect(harness.wsUrl);
  try {
    // A 1 MiB string result: sent in full in the reply, kept as a marker afterwards.
    const big = await client.call<{ job_id: string; result: string }>('execute_script', {
      script: bigString(10),
    });
    expect(big.result.length).toBe(1024 * 1024);
    const listed = await client.call<{ job_id: string; result?: unknown }[]>('job.list', {
      limit: 1_000_000,
    });
    expect(listed.length).toBeLessThanOrEqual(200);
    const kept = listed.find((job) => job.job_id === big.job_id);
    expect(kept?.result).toMatchObject({ $omitted: expect.stringContaining('not kept') });
    const fromHistory = await client.call<{ result?: unknown }>('history.get', {
      id: big.job_id,
    });
    expect(fromHistory.result).toMatchObject({ bytes: expect.any(Number) });
    const page = await client.call<unknown[]>('history.list', { limit: 5000 });
    expect(page.length).toBeLessThanOrEqual(100);
  } finally {
    client.close();
  }
});

test('a reply over the reply size limit is an error naming the limit; a batch is cut, not lost', async () => {
  const small = await startTestServer({ replyLimits: { maxReplyBytes: 100_000 } });
  const client = await TestRpcClient.connect(small.wsUrl);
  try {
    // The job succeeds (its result fits the output budget) but its reply is over the reply limit.
    const single = await client.request('execute_script', { script: bigString(8) });
    expect(single.error).toMatchObject({ data: { code: 'ReplyTooLarge' } });
    // 10 × get_opcodes (~28 KB each) against 100 KB: the first fit, the rest answer an error.
    const batch = Array.from({ length: 10 }, (_, index) => ({
      jsonrpc: '2.0',
      id: index + 1000,
      method: 'get_opcodes',
    }));
    client.send(batch);
    const answers = (await client.waitFor((message) => Array.isArray(message))) as unknown as {
      id: number;
      result?: unknown;
      error?: { data?: { code?: string } };
    }[];
    expect(answers).toHaveLength(10);
    // Every request got an answer with its own id: some results, then size errors.
    expect(answers.map((answer) => answer.id)).toEqual(batch.map((request) => request.id));
    expect(answers.filter((answer) => answer.result !== undefined).length).toBeGreaterThan(0);
    expect(answers.at(-1)?.error?.data?.code).toBe('ReplyTooLarge');
    const ok = await client.call<{ result: number }>('execute_script', { script: ['+', 1, 2] });
    expect(ok.result).toBe(3);
  } finally {
    client.close();
    await small.stop();
  }
});

test('oversized templates: saving is refused; rows stored before the limit cannot break templates.list', async () => {
  const client = await TestRpcClient.connect(harness.wsUrl);
  try {
    const huge = ['str.concat', 'y'.repeat(2 * 1024 * 1024)];
    const refused = await client.request('templates.save', { name: 'huge', script: huge });
    expect(refused.error).toMatchObject({ data: { code: 'InvalidArgument' } });
    expect(JSON.stringify(refused.error)).toContain('the limit is');

    // Rows as an older server stored them: 3 × 15 MiB, written straight into the database.
    const { Database } = await import('bun:sqlite');
    const db = new Database(join(harness.dataDir, 'viwo.db'));
    const script = JSON.stringify(['str.concat', 'z'.repeat(15 * 1024 * 1024)]);
    for (let index = 0; index < 3; index++) {
      db.run(`INSERT INTO templates (id, name, script, created, updated) VALUES (?, ?, ?, ?, ?)`, [
        `legacy-${index}`,
        `legacy ${index}`,
        script,
        Date.now(),
        Date.now(),
      ]);
    }
    db.close();
    const small = await client.call<{ id: string }>('templates.save', {
      name: 'small',
      script: ['+', 1, 2],
    });
    const listed = await client.call<{ id: string; script: unknown }[]>('templates.list', {});
    expect(listed.map((template) => template.id)).toContain(small.id);
    const legacy = listed.filter((template) => template.id.startsWith('legacy-'));
    expect(legacy).toHaveLength(3);
    for (const template of legacy) {
      expect(template.script).toMatchObject({ $omitted: expect.stringContaining('over the') });
    }
    await healthy();
  } finally {
    client.close();
  }
});

test('a history page of large entries comes back shorter, not as an oversized reply', async () => {
  const client = await TestRpcClient.connect(harness.wsUrl);
  try {
    const big = ['str.concat', 'h'.repeat(1_000_000)];
    for (let index = 0; index < 18; index++) {
      await client.call('execute_script', { script: big });
    }
    const response = await client.request('history.list', { limit: 100 });
    expect(response.error).toBeUndefined();
    const page = response.result as unknown[];
    expect(page.length).toBeGreaterThan(0);
    expect(page.length).toBeLessThan(18);
    expect(JSON.stringify(page).length).toBeLessThanOrEqual(16 * 1024 * 1024 + 64 * 1024);
  } finally {
    client.close();
  }
});
