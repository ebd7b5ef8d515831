/**
 * JSON-RPC over WebSocket vs a raw Bun WebSocket echo server, measured in the same run:
 * p50/p99 round-trip of a no-op call (one outstanding request), and calls/s with 1 and 8
 * concurrent clients pipelining 64 requests each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime } from '@viwo/core';
import { createTestPlugin } from '@viwo/core/testing';
import { startServer } from '../../apps/server/src/index.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'viwo-bench-rpc-'));
const runtime = await createRuntime({ dataDir, plugins: [createTestPlugin()] });
const rpcServer = startServer({ runtime, port: 0 });
const echoServer = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch(request, server) {
    return server.upgrade(request) ? undefined : new Response('ws only', { status: 400 });
  },
  websocket: {
    message(socket, message) {
      // Parse and re-serialise like a minimal RPC server would, so the baseline does the same JSON work.
      const request = JSON.parse(String(message)) as { id: number };
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: request.id, result: null }));
    },
  },
});

async function open(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url);
  await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
  return socket;
}

/** A client that resolves requests by id. */
function rpcClient(socket: WebSocket) {
  let nextId = 1;
  const pending = new Map<number, () => void>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number };
    if (typeof message.id === 'number') pending.get(message.id)?.();
    if (typeof message.id === 'number') pending.delete(message.id);
  });
  return (method: string, params: unknown) =>
    new Promise<void>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
}

const NOOP = { method: 'job.list', params: {} };

async function latency(url: string, count: number): Promise<{ p50: number; p99: number }> {
  const socket = await open(url);
  const call = rpcClient(socket);
  for (let index = 0; index < 500; index++) await call(NOOP.method, NOOP.params);
  const samples: number[] = [];
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    await call(NOOP.method, NOOP.params);
    samples.push(performance.now() - started);
  }
  socket.close();
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(count / 2)]!, p99: samples[Math.floor(count * 0.99)]! };
}

async function throughput(
  url: string,
  clients: number,
  perClient: number,
  window = 64,
): Promise<number> {
  const sockets = await Promise.all(Array.from({ length: clients }, () => open(url)));
  const started = performance.now();
  await Promise.all(
    sockets.map(async (socket) => {
      const call = rpcClient(socket);
      let sent = 0;
      const inFlight = new Set<Promise<void>>();
      while (sent < perClient) {
        while (inFlight.size < window && sent < perClient) {
          const promise = call(NOOP.method, NOOP.params).then(() => {
            inFlight.delete(promise);
          });
          inFlight.add(promise);
          sent++;
        }
        await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const socket of sockets) socket.close();
  return (clients * perClient) / seconds;
}

const rpcUrl = `ws://127.0.0.1:${rpcServer.port}/rpc`;
const echoUrl = `ws://127.0.0.1:${echoServer.port}`;
const rpcLatency = await latency(rpcUrl, 3000);
const echoLatency = await latency(echoUrl, 3000);
const rows = [['measure', 'viwo rpc', 'raw echo', 'ratio']];
rows.push([
  'p50 round trip (ms)',
  rpcLatency.p50.toFixed(3),
  echoLatency.p50.toFixed(3),
  `${(rpcLatency.p50 / echoLatency.p50).toFixed(2)}×`,
]);
rows.push([
  'p99 round trip (ms)',
  rpcLatency.p99.toFixed(3),
  echoLatency.p99.toFixed(3),
  `${(rpcLatency.p99 / echoLatency.p99).toFixed(2)}×`,
]);
for (const clients of [1, 8]) {
  const viwo = await throughput(rpcUrl, clients, 20_000 / clients);
  const echo = await throughput(echoUrl, clients, 20_000 / clients);
  rows.push([
    `calls/s, ${clients} client(s), pipelined`,
    viwo.toFixed(0),
    echo.toFixed(0),
    `${(echo / viwo).toFixed(2)}× slower`,
  ]);
}
const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
for (const row of rows)
  console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
console.log('targets: p50 within 1.5× of the raw echo; ≥ 20,000 calls/s pipelined');

await rpcServer.stop();
echoServer.stop(true);
await runtime.dispose();
rmSync(dataDir, { recursive: true, force: true });
