/**
 * A job killed mid-run with its server (SIGKILL) is `interrupted` on the next start, and its
 * history entry carries the prompt and seed read from its script: `history.list` over a real
 * WebSocket of a second server on the same data dir shows them, and the type filter finds it.
 */
import { afterAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HistoryEntry } from '@viwo/protocol';
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
  while (!text.includes('\n')) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the server exited before it listened: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return { child, wsUrl: (JSON.parse(text) as { wsUrl: string }).wsUrl };
}

test('an entry interrupted by a killed server has its prompt and seed after the restart', async () => {
  const first = await serve();
  const client = await TestRpcClient.connect(first.wsUrl);
  void client.request('execute_script', {
    script: [
      'std.seq',
      ['std.let', 'test', ['get_capability', 'test']],
      [
        'std.call_method',
        ['std.var', 'test'],
        'render',
        'a heron killed mid-run',
        { width: 4, height: 4, steps: 1000, delay_ms: 20, seed: 1234 },
      ],
    ],
  });
  const started = await client.waitFor((message) => message.method === 'job.progress');
  const jobId = (started.params as { job_id: string }).job_id;
  first.child.kill('SIGKILL');
  await first.child.exited;

  const second = await serve();
  const again = await TestRpcClient.connect(second.wsUrl);
  try {
    const [entry] = await again.call<HistoryEntry[]>('history.list', { type: 'test' });
    expect(entry).toMatchObject({
      job_id: jobId,
      status: 'interrupted',
      params: [
        {
          type: 'test',
          method: 'render',
          args: [
            'a heron killed mid-run',
            { width: 4, height: 4, steps: 1000, delay_ms: 20, seed: 1234 },
          ],
        },
      ],
      seeds: [1234],
    });
  } finally {
    again.close();
  }
}, 60_000);
