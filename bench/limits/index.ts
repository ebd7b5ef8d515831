/**
 * Latency under load: p50/p99 round trip of a trivial request (`job.list`) on an idle server, then
 * while 20 heavy scripts (endless loops at the largest gas a client may ask for) run from 5
 * connections. The server's global job limit queues most of them; the loops yield to the event
 * loop, so a trivial request must still be answered quickly. Target: p99 ≤ 50 ms under load.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime } from '@viwo/core';
import { createTestPlugin } from '@viwo/core/testing';
import { startServer } from '../../apps/server/src/index.ts';

const HEAVY_SCRIPTS = 20;
const CONNECTIONS = 5;
const SAMPLES = 400;
const dataDir = mkdtempSync(join(tmpdir(), 'viwo-bench-limits-'));
const runtime = await createRuntime({ dataDir, plugins: [createTestPlugin()] });
const server = startServer({ runtime, port: 0 });
const url = `ws://127.0.0.1:${server.port}/rpc`;

interface Client {
  call(method: string, params: unknown): Promise<Record<string, unknown>>;
  socket: WebSocket;
}

async function connect(): Promise<Client> {
  const socket = new WebSocket(url);
  await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
  let nextId = 1;
  const pending = new Map<number, (message: Record<string, unknown>) => void>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as Record<string, unknown>;
    if (typeof message.id === 'number') {
      pending.get(message.id)?.(message);
      pending.delete(message.id);
    }
  });
  return {
    socket,
    call: (method, params) =>
      new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      }),
  };
}

async function latency(client: Client, count: number): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    await client.call('job.list', {});
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(count / 2)]!, p99: samples[Math.floor(count * 0.99)]! };
}

const probe = await connect();
for (let index = 0; index < 200; index++) await probe.call('job.list', {});
const idle = await latency(probe, SAMPLES);

const workers = await Promise.all(Array.from({ length: CONNECTIONS }, () => connect()));
const endless = ['std.while', true, null];
const heavy: Promise<Record<string, unknown>>[] = [];
for (let index = 0; index < HEAVY_SCRIPTS; index++) {
  const client = workers[index % CONNECTIONS]!;
  heavy.push(client.call('execute_script', { script: endless, gas: 100_000_000 }));
}
// Wait until the heavy jobs are in (running or queued) before measuring.
for (;;) {
  const listed = (await workers[0]!.call('job.list', {})).result as unknown[];
  if (Array.isArray(listed) && listed.length > 0) break;
}
const loaded = await latency(probe, SAMPLES);
const health = await fetch(`http://127.0.0.1:${server.port}/health`);

// Every job is cancelled (queued ones too) so the bench ends promptly.
for (const client of workers) {
  const listed = (await client.call('job.list', {})).result as { job_id: string; status: string }[];
  for (const job of listed ?? []) {
    if (job.status === 'running' || job.status === 'queued')
      await client.call('job.cancel', { job_id: job.job_id });
  }
}
const outcomes = await Promise.all(heavy);
const refused = outcomes.filter(
  (outcome) =>
    (outcome.error as { data?: { code?: string } } | undefined)?.data?.code === 'TooManyJobs',
).length;

const rows = [
  ['measure', 'p50 (ms)', 'p99 (ms)'],
  ['job.list, idle server', idle.p50.toFixed(2), idle.p99.toFixed(2)],
  [`job.list, ${HEAVY_SCRIPTS} heavy scripts`, loaded.p50.toFixed(2), loaded.p99.toFixed(2)],
];
const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
for (const row of rows)
  console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
console.log(
  `/health under load: ${health.status}; heavy scripts refused: ${refused} of ${HEAVY_SCRIPTS}; target: p99 ≤ 50 ms under load`,
);

probe.socket.close();
for (const client of workers) client.socket.close();
await server.stop();
await runtime.dispose();
rmSync(dataDir, { recursive: true, force: true });
