/**
 * Latency under load: p50/p99 round trip of a trivial request (`job.list`) while 20 heavy scripts
 * (endless loops at the largest gas a client may ask for) run, against a server in its own
 * process. Measured three ways in one run: an idle server; the same load with the global job
 * limit lifted (all 20 evaluating at once, as before the limit existed); and the default server
 * (scripts past the global limit wait queued). Target: p99 ≤ 50 ms under load. Before the
 * hardening work (no global limit, 25 ms slices, all yielded scripts resumed back to back) this
 * measured p50 552 ms, p99 908 ms.
 */
import { join } from 'node:path';

const HEAVY_SCRIPTS = 20;
const CONNECTIONS = 5;
const SAMPLES = 200;

interface Client {
  call(method: string, params: unknown): Promise<Record<string, unknown>>;
  socket: WebSocket;
}

async function connect(url: string): Promise<Client> {
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

async function startServer(env: Record<string, string>) {
  const child = Bun.spawn([process.execPath, join(import.meta.dir, 'serve.ts')], {
    env: { ...process.env, ...env },
    stdout: 'pipe',
    stderr: 'inherit',
  });
  const reader = child.stdout.getReader();
  let text = '';
  while (!/PORT (\d+)/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error('bench server exited before listening');
    text += new TextDecoder().decode(value);
  }
  const port = Number(/PORT (\d+)/.exec(text)![1]);
  const stop = async () => {
    child.kill('SIGTERM');
    await child.exited;
  };
  return { port, stop };
}

function percentiles(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: sorted[Math.floor(sorted.length / 2)]!,
    p99: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!,
  };
}

/** Samples `job.list` round trips; with `heavy`, only while heavy scripts are still running. */
async function measure(env: Record<string, string>, heavy: boolean) {
  const server = await startServer(env);
  const url = `ws://127.0.0.1:${server.port}/rpc`;
  const probe = await connect(url);
  for (let index = 0; index < 100; index++) await probe.call('job.list', {});
  const workers = heavy
    ? await Promise.all(Array.from({ length: CONNECTIONS }, () => connect(url)))
    : [];
  const outcomes: Promise<Record<string, unknown>>[] = [];
  for (let index = 0; heavy && index < HEAVY_SCRIPTS; index++) {
    const script = ['std.while', true, null];
    outcomes.push(
      workers[index % CONNECTIONS]!.call('execute_script', { script, gas: 100_000_000 }),
    );
  }
  const unfinished = async () => {
    const jobs = (await probe.call('job.list', { limit: 200 })).result as { status: string }[];
    return jobs.filter((job) => job.status === 'running' || job.status === 'queued').length;
  };
  if (heavy) while ((await unfinished()) < HEAVY_SCRIPTS);
  const samples: number[] = [];
  for (let index = 0; index < SAMPLES; index++) {
    const started = performance.now();
    await probe.call('job.list', {});
    samples.push(performance.now() - started);
  }
  const stillLoaded = heavy ? await unfinished() : 0;
  const health = (await fetch(`http://127.0.0.1:${server.port}/health`)).status;
  for (const client of workers) {
    const jobs = (await client.call('job.list', { limit: 200 })).result as {
      job_id: string;
      status: string;
    }[];
    for (const job of jobs) {
      if (job.status === 'running' || job.status === 'queued')
        await client.call('job.cancel', { job_id: job.job_id });
    }
  }
  await Promise.all(outcomes);
  for (const client of [probe, ...workers]) client.socket.close();
  await server.stop();
  return { ...percentiles(samples), stillLoaded, health };
}

const idle = await measure({}, false);
const unlimited = await measure({ VIWO_BENCH_MAX_JOBS: String(HEAVY_SCRIPTS) }, true);
const limited = await measure({}, true);
const rows = [
  ['measure', 'p50 (ms)', 'p99 (ms)', 'scripts still running after sampling', '/health'],
  ['job.list, idle server', idle.p50.toFixed(2), idle.p99.toFixed(2), '-', String(idle.health)],
];
for (const [label, result] of [
  [`job.list, ${HEAVY_SCRIPTS} heavy scripts, global job limit lifted`, unlimited],
  [`job.list, ${HEAVY_SCRIPTS} heavy scripts, default global job limit`, limited],
] as const) {
  rows.push([
    label,
    result.p50.toFixed(2),
    result.p99.toFixed(2),
    String(result.stillLoaded),
    String(result.health),
  ]);
}
const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
for (const row of rows)
  console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
console.log(`target: p99 ≤ 50 ms with the default global job limit (${SAMPLES} samples each)`);
