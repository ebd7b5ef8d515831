/**
 * A client that stops reading (issue 16, "Replies silently lost"): replies and `job.done` used to
 * vanish once Bun's send buffer was full while the socket stayed open. Now every reply arrives
 * after the client resumes, or the socket is closed with 1013 — never a silent loss.
 */
import { afterEach, expect, test } from 'bun:test';
import { RawWebSocket } from './raw-ws-client.ts';
import { startTestServer, type TestServer } from './server-harness.ts';

let harness: TestServer | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** A script whose result is a 2 MiB string (built by doubling, so the script itself is small). */
const twoMiB = [
  'std.seq',
  ['std.let', 's', 'x'.repeat(1024)],
  [
    'std.for',
    'i',
    ['list.new', ...Array.from({ length: 11 }, (_, i) => i)],
    ['std.set', 's', ['str.concat', ['std.var', 's'], ['std.var', 's']]],
  ],
  ['std.var', 's'],
];

/** Waits (checking every 20 ms) for a server-side condition the paused client cannot see. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

function finishedJobs(server: TestServer, count: number): Promise<void> {
  return until(
    () =>
      server.runtime.history.list({ limit: 100 }).filter((entry) => entry.status === 'done')
        .length >= count,
  );
}

function sendJobs(client: RawWebSocket, count: number): void {
  for (let id = 1; id <= count; id++) {
    client.sendText(
      JSON.stringify({ jsonrpc: '2.0', id, method: 'execute_script', params: { script: twoMiB } }),
    );
  }
}

test('a client that stops reading gets every reply and job.done once it resumes', async () => {
  harness = await startTestServer({
    rpcLimits: { maxConcurrentJobs: 50 },
    runtimeOptions: { limits: { maxOutputBytes: 8 * 1024 * 1024 } },
  });
  const client = await RawWebSocket.open(harness.server.port);
  try {
    client.pause();
    sendJobs(client, 12); // 24 MiB of replies: past Bun's 16 MiB buffer and the kernel's
    await finishedJobs(harness, 12);
    client.resume();
    await client.until(() => {
      const messages = client.messages();
      const replies = messages.filter((message) => typeof message.id === 'number');
      const done = messages.filter((message) => message.method === 'job.done');
      return replies.length === 12 && done.length === 12;
    });
    const replies = client.messages().filter((message) => typeof message.id === 'number');
    for (const reply of replies)
      expect((reply.result as { result: string }).result).toHaveLength(2 * 1024 * 1024);
    expect(client.closed).toBe(false);
  } finally {
    client.destroy();
  }
}, 60_000);

test('past the buffer bound the socket closes with 1013 instead of losing replies', async () => {
  harness = await startTestServer({
    rpcLimits: { maxConcurrentJobs: 50 },
    runtimeOptions: { limits: { maxOutputBytes: 8 * 1024 * 1024 } },
    replyLimits: { maxBufferedBytes: 4 * 1024 * 1024 },
  });
  const client = await RawWebSocket.open(harness.server.port);
  try {
    client.pause();
    sendJobs(client, 20); // 40 MiB of replies against a 4 MiB bound
    // The server gives up on the connection on its own while the client is still not reading.
    const server = harness;
    await until(() => server.server.connections() === 0);
    client.resume();
    await client.until(() => client.closeCode() !== undefined || client.closed);
    expect(client.closeCode()).toBe(1013);
    const health = await fetch(`http://127.0.0.1:${harness.server.port}/health`);
    expect(health.status).toBe(200);
  } finally {
    client.destroy();
  }
}, 60_000);
