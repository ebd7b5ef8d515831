/**
 * A job killed mid-run with its server (SIGKILL) is `interrupted` on the next start, and its
 * history entry carries the prompt and seed read from its script: `history.list` over a real
 * WebSocket of a second server on the same data dir shows them, and the type filter finds it.
 * The second server also runs the job again (issue 15: interrupted jobs are deterministic
 * scripts), as a queue item marked as a rerun, to the end, with the same seed.
 */
import { afterAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HistoryEntry, QueueState } from '@viwo/protocol';
import { TestRpcClient } from './rpc-client.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'viwo-interrupted-'));
const children: ReturnType<typeof Bun.spawn>[] = [];
afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await child.exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts the fixture server on the shared data dir; resolves with its WebSocket URL. */
async function serve(): Promise<{ child: ReturnType<typeof Bun.spawn>; wsUrl: string }> {
  const child = Bun.spawn(
    [process.execPath, join(import.meta.dir, 'fixtures/serve-child.ts'), dataDir],
    {
      stdout: 'pipe',
      stderr: 'inherit',
    },
  );
  children.push(child);
  const reader = (child.stdout as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  // The server may log lines of its own before the fixture prints its address.
  const addressLine = () => text.split('\n').find((line) => line.startsWith('{"wsUrl"'));
  while (!addressLine()) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the server exited before it listened: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return { child, wsUrl: (JSON.parse(addressLine()!) as { wsUrl: string }).wsUrl };
}

test('an entry interrupted by a killed server has its prompt and seed after the restart', async () => {
  const first = await serve();
  const client = await TestRpcClient.connect(first.wsUrl);
  // The reply never comes (the server is killed): its wait must not reject into a later test.
  const unanswered = client.request('execute_script', {
    script: [
      'std.seq',
      ['std.let', 'test', ['get_capability', 'test']],
      [
        'std.call_method',
        ['std.var', 'test'],
        'render',
        'a heron killed mid-run',
        { width: 4, height: 4, steps: 100, delay_ms: 20, seed: 1234 },
      ],
    ],
  });
  unanswered.catch(() => undefined);
  const started = await client.waitFor((message) => message.method === 'job.progress');
  const jobId = (started.params as { job_id: string }).job_id;
  first.child.kill('SIGKILL');
  await first.child.exited;
  client.close();

  const second = await serve();
  const again = await TestRpcClient.connect(second.wsUrl);
  try {
    const entries = await again.call<HistoryEntry[]>('history.list', { type: 'test' });
    const entry = entries.find((candidate) => candidate.job_id === jobId);
    expect(entry).toMatchObject({
      job_id: jobId,
      status: 'interrupted',
      params: [
        {
          type: 'test',
          method: 'render',
          args: [
            'a heron killed mid-run',
            { width: 4, height: 4, steps: 100, delay_ms: 20, seed: 1234 },
          ],
        },
      ],
      seeds: [1234],
    });

    // It runs again, as a queue item marked as a rerun of that entry, to the end.
    const rerun = await again
      .waitFor(
        (message) =>
          message.method === 'queue.changed' &&
          (message.params as QueueState).items.some((item) => item.status === 'done'),
        30_000,
      )
      .catch(async () => ({ params: await again.call<QueueState>('queue.list') }));
    const item = (rerun.params as QueueState).items.find(
      (candidate) => candidate.meta.rerun_of === entry!.id,
    );
    expect(item).toMatchObject({
      status: 'done',
      rerun: true,
      meta: { mode: 'rerun', prompt: 'a heron killed mid-run' },
    });
    const rerunEntry = await again.call<HistoryEntry>('history.get', { id: item!.job_id });
    expect(rerunEntry).toMatchObject({ status: 'done', seeds: [1234] });
  } finally {
    again.close();
  }
}, 60_000);

test('a queue job is rerun by the queue only (not again from history), and only once', async () => {
  const first = await serve();
  const client = await TestRpcClient.connect(first.wsUrl);
  const { id } = await client.call<{ id: string }>('queue.submit', {
    script: [
      'std.call_method',
      ['get_capability', 'test'],
      'render',
      'a queued heron',
      { width: 4, height: 4, steps: 100, delay_ms: 20, seed: 7 },
    ],
    meta: { prompt: 'a queued heron' },
  });
  await client.waitFor((message) => message.method === 'job.progress');
  first.child.kill('SIGKILL');
  await first.child.exited;
  client.close();

  const second = await serve();
  const again = await TestRpcClient.connect(second.wsUrl);
  try {
    const state = await again.call<QueueState>('queue.list');
    const heron = state.items.filter(
      (item) => (item.meta as { prompt?: string }).prompt === 'a queued heron',
    );
    expect(heron.map((item) => ({ id: item.id, rerun: item.rerun }))).toEqual([
      { id, rerun: true },
    ]);
    // Killed again while rerunning: it might be what brings the server down, so no third run.
    await again.waitFor((message) => message.method === 'job.progress');
  } finally {
    again.close();
  }
  second.child.kill('SIGKILL');
  await second.child.exited;
  const third = await serve();
  const last = await TestRpcClient.connect(third.wsUrl);
  try {
    const state = await last.call<QueueState>('queue.list');
    expect(state.items.find((item) => item.id === id)).toMatchObject({
      status: 'error',
      error: expect.stringContaining('interrupted again'),
    });
  } finally {
    last.close();
  }
}, 60_000);
