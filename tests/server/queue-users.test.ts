/**
 * The generation queue with users, over real WebSockets: each user sees only their own items and
 * another user's item answers exactly like a missing one; an admin sees every user's items with
 * the owner's name and may move, cancel and retry them (a retry runs for the owner); and
 * `queue.changed` / job notifications reach only connections that may see the item.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HistoryEntry, QueueItem, QueueState } from '@viwo/protocol';
import { TestRpcClient } from './rpc-client.ts';
import { startTestServer, type TestServer } from './server-harness.ts';

const render = (prompt: string) => [
  'std.call_method',
  ['get_capability', 'test'],
  'render',
  prompt,
  { width: 4, height: 4, steps: 2 },
];

let harness: TestServer;
const clients: Record<string, TestRpcClient> = {};

beforeAll(async () => {
  harness = await startTestServer();
  const tokens = {
    alice: harness.runtime.users.add('alice').token,
    bob: harness.runtime.users.add('bob').token,
    root: harness.runtime.users.add('root', { admin: true }).token,
  };
  for (const [name, token] of Object.entries(tokens))
    clients[name] = await TestRpcClient.connect(
      `${harness.wsUrl}?token=${encodeURIComponent(token)}`,
    );
});
afterAll(async () => {
  for (const client of Object.values(clients)) client.close();
  await harness.stop();
});

/** Every `queue.changed` a client received so far. */
const changes = (name: string) =>
  clients[name]!.messages.filter((message) => message.method === 'queue.changed').map(
    (message) => message.params as QueueState,
  );

/** Every queue item id any notification to a client named. */
function idsHeardBy(name: string): Set<string> {
  const ids = new Set<string>();
  for (const message of clients[name]!.messages) {
    if (message.method === 'queue.changed')
      for (const item of (message.params as QueueState).items) ids.add(item.id);
    const queueId = (message.params as { queue_id?: unknown } | undefined)?.queue_id;
    if (typeof queueId === 'string') ids.add(queueId);
  }
  return ids;
}

/** The error a request got (null when it succeeded), with the item id masked out. */
async function refusal(name: string, method: string, params: { id: string; index?: number }) {
  const response = (await clients[name]!.request(method, params)) as {
    error?: { code: number; message: string };
  };
  if (!response.error) return null;
  return { ...response.error, message: response.error.message.replaceAll(params.id, 'ID') };
}

const byPrompt = (state: QueueState, prompt: string): QueueItem | undefined =>
  state.items.find((item) => (item.meta as { prompt?: string }).prompt === prompt);

describe('the queue with users', () => {
  const ids: Record<string, string> = {};

  test("each user sees only their own items; the admin sees everyone's with the owner's name", async () => {
    await clients.root!.call('queue.pause');
    for (const [name, prompt] of [
      ['alice', 'alice one'],
      ['alice', 'alice two'],
      ['bob', 'bob one'],
    ] as const) {
      const { id } = await clients[name]!.call<{ id: string }>('queue.submit', {
        script: render(prompt),
        meta: { prompt },
      });
      ids[prompt] = id;
    }
    const alice = await clients.alice!.call<QueueState>('queue.list');
    expect(alice.items.map((item) => [item.meta.prompt, item.owner])).toEqual([
      ['alice one', 'alice'],
      ['alice two', 'alice'],
    ]);
    const bob = await clients.bob!.call<QueueState>('queue.list');
    expect(bob.items.map((item) => [item.meta.prompt, item.owner])).toEqual([['bob one', 'bob']]);
    const root = await clients.root!.call<QueueState>('queue.list');
    expect(root.paused).toBe(true);
    expect(root.items.map((item) => [item.meta.prompt, item.owner])).toEqual([
      ['alice one', 'alice'],
      ['alice two', 'alice'],
      ['bob one', 'bob'],
    ]);
    // The pause was announced to everyone; bob's submit reached the admin, not alice.
    expect(changes('alice').some((state) => state.paused)).toBe(true);
    expect(changes('root').some((state) => byPrompt(state, 'bob one'))).toBe(true);
    expect(idsHeardBy('alice').has(ids['bob one']!)).toBe(false);
  });

  test("only an admin may pause or resume the queue that holds every user's jobs", async () => {
    for (const method of ['queue.pause', 'queue.resume']) {
      const response = (await clients.alice!.request(method, {})) as {
        error?: { code: number; message: string };
      };
      expect(response.error?.message).toContain('only an admin may pause or resume');
    }
    // Alice's refused resume left the admin's pause in place.
    expect((await clients.root!.call<QueueState>('queue.list')).paused).toBe(true);
  });

  test("another user's item answers exactly like a missing one to a non-admin", async () => {
    const missing = crypto.randomUUID();
    for (const method of ['queue.cancel', 'queue.retry', 'queue.move']) {
      const unseen = await refusal('alice', method, { id: ids['bob one']!, index: 0 });
      const absent = await refusal('alice', method, { id: missing, index: 0 });
      expect(unseen).not.toBeNull();
      expect(unseen).toEqual(absent!);
      expect(unseen?.code).toBe(-32602);
    }
    const bob = await clients.bob!.call<QueueState>('queue.list');
    expect(byPrompt(bob, 'bob one')?.status).toBe('queued');
  });

  test("the admin moves and cancels another user's item; only those who see it hear", async () => {
    const aliceHeard = changes('alice').length;
    const moved = await clients.root!.call<QueueState>('queue.move', {
      id: ids['bob one'],
      index: 0,
    });
    expect(moved.items.map((item) => item.meta.prompt)).toEqual([
      'bob one',
      'alice one',
      'alice two',
    ]);
    const cancelled = await clients.root!.call<QueueState>('queue.cancel', {
      id: ids['bob one'],
    });
    expect(byPrompt(cancelled, 'bob one')?.status).toBe('cancelled');
    await clients.bob!.waitFor(
      (message) =>
        message.method === 'queue.changed' &&
        byPrompt(message.params as QueueState, 'bob one')?.status === 'cancelled',
    );
    // Alice's view did not change: she heard nothing (a request of hers answered after both
    // changes, so any notification for them would have come first on her socket).
    await clients.alice!.call('queue.list');
    expect(changes('alice').length).toBe(aliceHeard);
  });

  test("the admin's retry runs for the owner: the owner's item, history and notifications", async () => {
    const { id } = await clients.root!.call<{ id: string }>('queue.retry', {
      id: ids['bob one'],
    });
    const bob = await clients.bob!.call<QueueState>('queue.list');
    expect(bob.items.find((item) => item.id === id)).toMatchObject({
      owner: 'bob',
      status: 'queued',
    });
    // Alice and bob cancel their own; the admin resumes and the retried item runs.
    await clients.alice!.call('queue.cancel', { id: ids['alice one'] });
    await clients.alice!.call('queue.cancel', { id: ids['alice two'] });
    await clients.root!.call('queue.resume');
    const done = await clients.bob!.waitFor(
      (message) =>
        message.method === 'queue.changed' &&
        (message.params as QueueState).items.some(
          (item) => item.id === id && item.status === 'done',
        ),
    );
    const item = (done.params as QueueState).items.find((candidate) => candidate.id === id)!;
    expect(
      clients.bob!.messages.some(
        (message) =>
          message.method === 'job.progress' &&
          (message.params as { queue_id?: unknown }).queue_id === id,
      ),
    ).toBe(true);
    await clients.root!.waitFor(
      (message) =>
        message.method === 'queue.changed' &&
        (message.params as QueueState).items.some(
          (candidate) => candidate.id === id && candidate.status === 'done',
        ),
    );
    // The job is bob's: in his history, not the admin's own (the admin sees all history anyway),
    // and neither alice nor the admin got its job notifications.
    const bobHistory = await clients.bob!.call<HistoryEntry[]>('history.list');
    expect(bobHistory.map((entry) => entry.job_id)).toContain(item.job_id!);
    const aliceHistory = await clients.alice!.call<HistoryEntry[]>('history.list');
    expect(aliceHistory.map((entry) => entry.job_id)).not.toContain(item.job_id!);
    expect(idsHeardBy('alice').has(id)).toBe(false);
    expect(
      clients.root!.messages.some(
        (message) => (message.params as { queue_id?: unknown } | undefined)?.queue_id === id,
      ),
    ).toBe(false);
  });

  test("the admin's clear drops every user's finished items and tells their owners", async () => {
    const cleared = await clients.root!.call<QueueState>('queue.clear');
    expect(cleared.items).toEqual([]);
    await clients.bob!.waitFor(
      (message) =>
        message.method === 'queue.changed' && (message.params as QueueState).items.length === 0,
    );
    await clients.alice!.waitFor(
      (message) =>
        message.method === 'queue.changed' && (message.params as QueueState).items.length === 0,
    );
  });
});

describe('queued items of users across a restart', () => {
  test("reruns run as the user as the store has them now; a removed user's item fails", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'viwo-queue-users-'));
    try {
      const first = await startTestServer({ dataDir });
      const tokens = {
        carol: first.runtime.users.add('carol').token,
        root: first.runtime.users.add('root', { admin: true }).token,
        dave: first.runtime.users.add('dave').token,
        erin: first.runtime.users.add('erin').token,
      };
      const connect = (server: TestServer, token: string) =>
        TestRpcClient.connect(`${server.wsUrl}?token=${encodeURIComponent(token)}`);
      const carol = await connect(first, tokens.carol);
      const dave = await connect(first, tokens.dave);
      // Only an admin may pause the queue on a server with users.
      const root = await connect(first, tokens.root);
      await root.call('queue.pause');
      root.close();
      const carolItem = await carol.call<{ id: string }>('queue.submit', {
        script: render('carol waits'),
      });
      const erin = await connect(first, tokens.erin);
      const erinItem = await erin.call<{ id: string }>('queue.submit', {
        script: render('erin waits'),
      });
      const daveItem = await dave.call<{ id: string }>('queue.submit', {
        script: render('dave waits'),
      });
      carol.close();
      dave.close();
      erin.close();
      first.runtime.users.remove('carol');
      // Erin's quota shrinks while her item waits: its rerun is held to the new quota.
      first.runtime.users.setQuota('erin', { maxComputePerJob: 0.000001 });
      await first.stop();

      const second = await startTestServer({ dataDir });
      try {
        const again = await connect(second, tokens.dave);
        const admin = await connect(second, tokens.root);
        await admin.call('queue.resume');
        admin.close();
        const settled = await again.waitFor(
          (message) =>
            message.method === 'queue.changed' &&
            (message.params as QueueState).items.some(
              (item) => item.id === daveItem.id && item.status === 'done',
            ),
        );
        expect((settled.params as QueueState).items.map((item) => item.id)).toEqual([daveItem.id]);
        // Items run one at a time in order: dave's, queued last, finished after the others.
        const saved = JSON.parse(await Bun.file(join(dataDir, 'queue.json')).text()) as QueueState;
        expect(saved.items.find((item) => item.id === carolItem.id)).toMatchObject({
          status: 'error',
          error: `the user who queued ${carolItem.id} no longer exists`,
        });
        expect(saved.items.find((item) => item.id === erinItem.id)).toMatchObject({
          status: 'error',
          error: expect.stringContaining("over erin's quota"),
        });
        again.close();
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
