import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime } from '@viwo/core';
import sharp from 'sharp';
import { startServer } from '../../apps/server/src/index.ts';
import { TestRpcClient } from './rpc-client.ts';
import { startTestServer, type TestServer } from './server-harness.ts';

const clientDir = mkdtempSync(join(tmpdir(), 'viwo-users-client-'));
let harness: TestServer;
let base: string;
const tokens: Record<string, string> = {};
/** A job and a template created before any user existed (owner: no one). */
let legacy: { jobId: string; templateId: string };

const render = (options: Record<string, unknown>) => [
  'std.call_method',
  ['get_capability', 'test'],
  'render',
  'a prompt',
  options,
];

const connect = (name: string) =>
  TestRpcClient.connect(`${harness.wsUrl}?token=${encodeURIComponent(tokens[name]!)}`);

beforeAll(async () => {
  writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>sign-in shell</title>');
  harness = await startTestServer({ clientDir });
  base = harness.server.url;
  // Before users exist, a loopback server needs no token (as before users existed).
  const anonymous = await TestRpcClient.connect(harness.wsUrl);
  const job = await anonymous.call<{ job_id: string }>('execute_script', { script: ['+', 1, 1] });
  const template = await anonymous.call<{ id: string }>('templates.save', {
    name: 'legacy',
    script: ['+', 1, 1],
  });
  legacy = { jobId: job.job_id, templateId: template.id };
  anonymous.close();
  expect(await (await fetch(`${base}/whoami`)).json()).toEqual({ user: null, users: false });

  tokens.alice = harness.runtime.users.add('alice').token;
  tokens.bob = harness.runtime.users.add('bob').token;
  tokens.root = harness.runtime.users.add('root', { admin: true }).token;
  tokens.capped = harness.runtime.users.add('capped', {
    maxComputePerJob: 1,
    maxComputePerDay: 2.5,
  }).token;
});
afterAll(async () => {
  await harness.stop();
  rmSync(clientDir, { recursive: true, force: true });
});

describe('sign-in once users exist', () => {
  test('no token: 401 on HTTP routes and a refused WebSocket; /health and the client stay open', async () => {
    const image = `${base}/images/${'0'.repeat(64)}.png`;
    expect((await fetch(image)).status).toBe(401);
    expect((await fetch(`${base}/images`, { method: 'POST', body: 'x' })).status).toBe(401);
    const whoami = await fetch(`${base}/whoami`);
    expect(whoami.status).toBe(401);
    expect(whoami.headers.get('www-authenticate')).toContain('Bearer');
    await expect(TestRpcClient.connect(harness.wsUrl)).rejects.toThrow();
    await expect(TestRpcClient.connect(`${harness.wsUrl}?token=viwo_wrong`)).rejects.toThrow();
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const shell = await fetch(`${base}/`);
    expect(shell.status).toBe(200);
    expect(await shell.text()).toContain('sign-in shell');
  });

  test('a query-string token is refused on HTTP routes; Bearer works with any scheme case', async () => {
    const image = `${base}/images/${'0'.repeat(64)}.png`;
    const query = `?token=${encodeURIComponent(tokens.alice!)}`;
    expect((await fetch(`${image}${query}`)).status).toBe(401);
    expect((await fetch(`${base}/whoami${query}`)).status).toBe(401);
    expect((await fetch(`${base}/images${query}`, { method: 'POST', body: 'x' })).status).toBe(401);
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const response = await fetch(image, {
        headers: { authorization: `${scheme} ${tokens.alice}` },
      });
      expect(response.status).toBe(404);
    }
    const me = await fetch(`${base}/whoami`, {
      headers: { authorization: `Bearer ${tokens.root}` },
    });
    expect(await me.json()).toEqual({
      user: { name: 'root', admin: true },
      users: true,
      quota: { max_compute_per_job: null, max_compute_per_day: null, compute_today: 0 },
    });
  });

  test('uploads and image reads work with Bearer; signed-in images are never publicly cacheable', async () => {
    const png = await sharp({
      create: { width: 3, height: 2, channels: 3, background: '#123456' },
    })
      .png()
      .toBuffer();
    const auth = { authorization: `Bearer ${tokens.alice}` };
    const upload = await fetch(`${base}/images`, {
      method: 'POST',
      body: new Uint8Array(png),
      headers: auth,
    });
    expect(upload.status).toBe(200);
    const image = (await upload.json()) as { $image: string; width: number };
    expect(image.width).toBe(3);
    const path = `${base}/images/${image.$image}.png`;
    expect((await fetch(path)).status).toBe(401);
    const served = await fetch(path, { headers: auth });
    expect(served.status).toBe(200);
    expect(served.headers.get('cache-control')).toStartWith('private');
    expect(served.headers.get('vary')).toBe('Authorization');
    const webp = `${base}/images/${image.$image}.webp`;
    expect((await fetch(webp)).status).toBe(401);
    const transcoded = await fetch(webp, { headers: auth });
    expect(transcoded.status).toBe(200);
    expect(transcoded.headers.get('cache-control')).toStartWith('private');
  });

  test('the WebSocket accepts the token as a header or as ?token=', async () => {
    const byHeader = await TestRpcClient.connect(harness.wsUrl, {
      authorization: `Bearer ${tokens.bob}`,
    });
    expect(await byHeader.call('execute_script', { script: ['+', 2, 3] })).toMatchObject({
      result: 5,
    });
    byHeader.close();
    const byQuery = await connect('bob');
    expect(await byQuery.call('execute_script', { script: ['+', 2, 4] })).toMatchObject({
      result: 6,
    });
    byQuery.close();
  });
});

describe('isolation between users', () => {
  let alice: TestRpcClient;
  let bob: TestRpcClient;
  let root: TestRpcClient;
  let aliceJob: string;
  let aliceTemplate: string;
  beforeAll(async () => {
    [alice, bob, root] = await Promise.all([connect('alice'), connect('bob'), connect('root')]);
    aliceJob = (await alice.call<{ job_id: string }>('execute_script', { script: ['+', 40, 2] }))
      .job_id;
    aliceTemplate = (
      await alice.call<{ id: string }>('templates.save', { name: 'alice only', script: ['+', 1] })
    ).id;
  });
  afterAll(() => {
    for (const client of [alice, bob, root]) client.close();
  });

  /** The error of a response with the job/entry id replaced, to compare "unknown" answers. */
  const errorOf = async (client: TestRpcClient, method: string, params: unknown, id: string) => {
    const response = await client.request(method, params);
    expect(response.error).toBeDefined();
    return JSON.parse(JSON.stringify(response.error).replaceAll(id, '<id>'));
  };

  test("another user's jobs are invisible: list, get and cancel answer as for an unknown id", async () => {
    const bobJobs = await bob.call<{ job_id: string }[]>('job.list');
    expect(bobJobs.map((job) => job.job_id)).not.toContain(aliceJob);
    const unknown = 'job_doesNotExist123456';
    for (const method of ['job.get', 'job.cancel']) {
      const foreign = await errorOf(bob, method, { job_id: aliceJob }, aliceJob);
      const missing = await errorOf(bob, method, { job_id: unknown }, unknown);
      expect(foreign).toEqual(missing);
      expect(foreign.data.code).toBe('NotFound');
    }
    expect(await alice.call('job.get', { job_id: aliceJob })).toMatchObject({ result: 42 });
  });

  test("another user's history and templates are invisible and untouchable", async () => {
    const bobHistory = await bob.call<{ job_id: string }[]>('history.list');
    expect(bobHistory.map((entry) => entry.job_id)).not.toContain(aliceJob);
    expect(bobHistory.map((entry) => entry.job_id)).not.toContain(legacy.jobId);
    const missing = 'no-such-entry';
    for (const [method, params] of [
      ['history.get', { id: aliceJob }],
      ['history.favorite', { id: aliceJob, value: true }],
    ] as const) {
      expect(await errorOf(bob, method, params, aliceJob)).toEqual(
        await errorOf(bob, method, { ...params, id: missing }, missing),
      );
    }
    expect(await bob.call('history.delete', { id: aliceJob })).toEqual({ ok: false });

    const bobTemplates = await bob.call<{ id: string }[]>('templates.list');
    expect(bobTemplates.map((t) => t.id)).not.toContain(aliceTemplate);
    expect(bobTemplates.map((t) => t.id)).not.toContain(legacy.templateId);
    for (const method of ['templates.get', 'templates.export']) {
      expect(await errorOf(bob, method, { id: aliceTemplate }, aliceTemplate)).toEqual(
        await errorOf(bob, method, { id: missing }, missing),
      );
    }
    const overwrite = await bob.request('templates.save', {
      id: aliceTemplate,
      name: 'hijacked',
      script: ['+', 2],
    });
    expect(JSON.stringify(overwrite.error)).toContain('does not exist');
    expect(await bob.call('templates.delete', { id: aliceTemplate })).toEqual({ ok: false });
    expect(await alice.call('templates.get', { id: aliceTemplate })).toMatchObject({
      name: 'alice only',
      version: 1,
    });
    expect((await alice.call<{ job_id: string }[]>('history.list')).map((e) => e.job_id)).toContain(
      aliceJob,
    );
  });

  test('an admin sees every user, rows from before users existed, and can cancel any job', async () => {
    const jobs = (await root.call<{ job_id: string }[]>('job.list')).map((job) => job.job_id);
    expect(jobs).toContain(aliceJob);
    const history = (await root.call<{ job_id: string }[]>('history.list')).map((e) => e.job_id);
    expect(history).toEqual(expect.arrayContaining([aliceJob, legacy.jobId]));
    const templates = (await root.call<{ id: string }[]>('templates.list')).map((t) => t.id);
    expect(templates).toEqual(expect.arrayContaining([aliceTemplate, legacy.templateId]));
    expect(await root.call('templates.get', { id: aliceTemplate })).toMatchObject({
      name: 'alice only',
    });

    const running = alice.request('execute_script', {
      script: render({ width: 4, height: 4, steps: 500, delay_ms: 20 }),
    });
    const progress = await alice.waitFor((message) => message.method === 'job.progress');
    const jobId = (progress.params as { job_id: string }).job_id;
    const refused = await bob.request('job.cancel', { job_id: jobId });
    expect((refused.error as { data: { code: string } }).data.code).toBe('NotFound');
    await root.call('job.cancel', { job_id: jobId });
    const answer = await running;
    expect((answer.error as { data: { code: string } }).data.code).toBe('Cancelled');
  });

  test("another user's conversations are invisible; an admin sees them", async () => {
    // Stored as conversations.create stores it for alice (this harness has no diffusion plugin to
    // validate a conversation's capability against).
    const aliceId = harness.runtime.users.get('alice').id;
    const mine = harness.runtime.conversations.create('alice chat', {}, aliceId);
    const bobs = (await bob.call<{ id: string }[]>('conversations.list')).map((entry) => entry.id);
    expect(bobs).not.toContain(mine.id);
    const hidden = await bob.request('conversations.get', { id: mine.id });
    const unknown = await bob.request('conversations.get', { id: 'no-such-conversation' });
    expect((hidden.error as { data: { code: string } }).data.code).toBe(
      (unknown.error as { data: { code: string } }).data.code,
    );
    expect((await bob.request('conversations.delete', { id: mine.id })).error).toBeDefined();
    const all = (await root.call<{ id: string }[]>('conversations.list')).map((entry) => entry.id);
    expect(all).toContain(mine.id);
    expect(await alice.call('conversations.get', { id: mine.id })).toMatchObject({
      title: 'alice chat',
    });
  });
});

describe('per-user compute quota', () => {
  test('a job over the per-job quota fails clearly; delegation cannot escape it', async () => {
    const capped = await connect('capped');
    try {
      // 100×100 pixels × 100 steps = 1 megapixel-step: exactly the per-job quota.
      const one = render({ width: 100, height: 100, steps: 100 });
      expect(await capped.call('execute_script', { script: one })).toMatchObject({
        images: [expect.anything()],
      });
      const twice = await capped.request('execute_script', { script: ['std.seq', one, one] });
      const error = twice.error as { data: { code: string; message: string } };
      expect(error.data.code).toBe('BudgetExceeded');
      expect(error.data.message).toContain('quota of 1 per job');
      const delegated = await capped.request('execute_script', {
        script: [
          'std.call_method',
          ['delegate', ['get_capability', 'test'], { maxCompute: 100 }],
          'render',
          'p',
          { width: 200, height: 100, steps: 100 },
        ],
      });
      expect((delegated.error as { data: { message: string } }).data.message).toContain('per job');
      // Spent today: 1 + 1 (the second job's first call) = 2 of 2.5; one more call crosses it.
      const day = await capped.request('execute_script', { script: one });
      const dayError = day.error as { data: { code: string; message: string } };
      expect(dayError.data.code).toBe('BudgetExceeded');
      expect(dayError.data.message).toContain('per day');
      expect(harness.runtime.users.get('capped').computeToday).toBeCloseTo(2, 6);
      const me = await fetch(`${base}/whoami`, {
        headers: { authorization: `Bearer ${tokens.capped}` },
      });
      expect(((await me.json()) as { quota: unknown }).quota).toEqual({
        max_compute_per_job: 1,
        max_compute_per_day: 2.5,
        compute_today: 2,
      });
    } finally {
      capped.close();
    }
  });
});

describe('removal and rotation', () => {
  test('removing a user or replacing its token signs its open connections out', async () => {
    const { token } = harness.runtime.users.add('temp');
    const socket = await TestRpcClient.connect(`${harness.wsUrl}?token=${token}`);
    expect(await socket.call('execute_script', { script: ['+', 1, 2] })).toMatchObject({
      result: 3,
    });
    const newToken = harness.runtime.users.rotateToken('temp');
    const closed = new Promise<number>((resolve) =>
      socket.socket.addEventListener('close', (event) => resolve(event.code)),
    );
    socket.send({ jsonrpc: '2.0', id: 99, method: 'job.list' });
    expect(await closed).toBe(1008);
    const auth = { headers: { authorization: `Bearer ${token}` } };
    expect((await fetch(`${base}/whoami`, auth)).status).toBe(401);
    const fresh = { headers: { authorization: `Bearer ${newToken}` } };
    expect((await fetch(`${base}/whoami`, fresh)).status).toBe(200);
    harness.runtime.users.remove('temp');
    expect((await fetch(`${base}/whoami`, fresh)).status).toBe(401);
  });
});

test('a non-loopback server may run on users alone, and removing the last one never opens it', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'viwo-users-public-'));
  const runtime = await createRuntime({ dataDir, plugins: [] });
  const saved = process.env.VIWO_TOKEN;
  delete process.env.VIWO_TOKEN;
  try {
    expect(() => startServer({ runtime, host: '0.0.0.0', port: 0 })).toThrow(/token or users/);
    const { token } = runtime.users.add('solo');
    const server = startServer({ runtime, host: '0.0.0.0', port: 0 });
    const whoami = `http://127.0.0.1:${server.port}/whoami`;
    const auth = { headers: { authorization: `Bearer ${token}` } };
    expect((await fetch(whoami, auth)).status).toBe(200);
    runtime.users.remove('solo');
    expect((await fetch(whoami)).status).toBe(401);
    await expect(TestRpcClient.connect(`ws://127.0.0.1:${server.port}/rpc`)).rejects.toThrow();
    await server.stop();
  } finally {
    if (saved !== undefined) process.env.VIWO_TOKEN = saved;
    await runtime.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
