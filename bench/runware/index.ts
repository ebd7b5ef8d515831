/**
 * Runware backend overhead, measured in one run against the same stand-in:
 *  - baseline: a raw WebSocket client doing the stand-in's own round trip (one `imageInference`
 *    with base64 output, on an authenticated socket), the least any client can take;
 *  - ours: `execute_script` of `runware.textToImage` through the real server (JSON-RPC, script
 *    evaluation, the plugin's client, decode, PNG encode with text chunks, store, history);
 *  - one PNG encode of the same pixels as the image store does it, for the target
 *    "overhead ≤ 10 ms + one PNG encode per image".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime } from '@viwo/core';
import { createRunwarePlugin } from '@viwo/plugin-runware';
import { startRunwareStandIn } from '@viwo/plugin-runware/testing';
import sharp from 'sharp';
import { startServer } from '../../apps/server/src/index.ts';

const KEY = 'bench-key-0123456789';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const WARMUP = 5;

const standIn = startRunwareStandIn({ apiKeys: [KEY] });
const dataDir = mkdtempSync(join(tmpdir(), 'viwo-bench-runware-'));
const runtime = await createRuntime({
  dataDir,
  plugins: [createRunwarePlugin({ url: standIn.url, apiKey: KEY, env: {} })],
});
const server = startServer({ runtime, port: 0 });

/** A socket that resolves each request once `expected` messages answered its id/taskUUID. */
async function open(url: string, match: (message: Record<string, unknown>) => string | undefined) {
  const socket = new WebSocket(url);
  await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
  const waiting = new Map<string, (message: Record<string, unknown>) => void>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as Record<string, unknown>;
    const id = match(message);
    if (id !== undefined) waiting.get(id)?.(message);
  });
  return {
    socket,
    send(id: string, payload: unknown): Promise<Record<string, unknown>> {
      return new Promise((resolve) => {
        waiting.set(id, (message) => {
          waiting.delete(id);
          resolve(message);
        });
        socket.send(JSON.stringify(payload));
      });
    },
  };
}

const runware = await open(standIn.url, (message) => {
  const item = (message.data as Record<string, unknown>[] | undefined)?.[0];
  return item ? String(item.taskUUID ?? item.taskType) : undefined;
});
await runware.send('authentication', [{ taskType: 'authentication', apiKey: KEY }]);
const rpc = await open(`ws://127.0.0.1:${server.port}/rpc`, (message) =>
  message.id === undefined ? undefined : String(message.id),
);

let seed = 1;
/** The stand-in's own round trip; also answers the PNG it sent (for the encode reference). */
async function baseline(size: number): Promise<{ ms: number; png: Uint8Array }> {
  const taskUUID = crypto.randomUUID();
  const started = performance.now();
  const answer = await runware.send(taskUUID, [
    {
      taskType: 'imageInference',
      taskUUID,
      positivePrompt: 'a benchmark lighthouse',
      model: 'runware:101@1',
      width: size,
      height: size,
      seed: seed++,
      numberResults: 1,
      outputType: 'base64Data',
      outputFormat: 'PNG',
      includeCost: true,
    },
  ]);
  const ms = performance.now() - started;
  const item = (answer.data as { imageBase64Data: string }[])[0]!;
  return { ms, png: new Uint8Array(Buffer.from(item.imageBase64Data, 'base64')) };
}

let rpcId = 1;
async function execute(script: unknown): Promise<number> {
  const id = String(rpcId++);
  const started = performance.now();
  const reply = await rpc.send(id, {
    jsonrpc: '2.0',
    id: Number(id),
    method: 'execute_script',
    params: { script },
  });
  if (reply.error) throw new Error(JSON.stringify(reply.error));
  return performance.now() - started;
}

function ours(size: number): Promise<number> {
  return execute([
    'std.call_method',
    ['get_capability', 'runware'],
    'textToImage',
    'a benchmark lighthouse',
    { model_id: 'runware:101@1', width: size, height: size, seed: seed++ },
  ]);
}

/** One PNG encode of the result's pixels, as the image store encodes (the target's allowance). */
async function pngEncode(png: Uint8Array): Promise<number> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const started = performance.now();
  await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .png({ compressionLevel: 1, adaptiveFiltering: false })
    .toBuffer();
  return performance.now() - started;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

console.log(`rounds: ${ROUNDS} per size (after ${WARMUP} warm-up), interleaved`);
console.log('size       stand-in RTT   ours (RPC)   overhead   PNG encode   overhead − encode');
for (const size of [512, 1024]) {
  const base: number[] = [];
  const mine: number[] = [];
  const encode: number[] = [];
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    // Interleaved, so drift (other processes on the machine) hits both sides alike.
    const { ms: b, png } = await baseline(size);
    const o = await ours(size);
    const e = await pngEncode(png);
    if (round < WARMUP) continue;
    base.push(b);
    mine.push(o);
    encode.push(e);
  }
  const [b, o, e] = [median(base), median(mine), median(encode)];
  console.log(
    `${`${size}×${size}`.padEnd(10)} ${b.toFixed(1).padStart(9)} ms ${o.toFixed(1).padStart(9)} ms ${(o - b).toFixed(1).padStart(7)} ms ${e.toFixed(1).padStart(9)} ms ${(o - b - e).toFixed(1).padStart(12)} ms`,
  );
}
console.log('(medians; target: overhead − encode ≤ 10 ms)');
const noop: number[] = [];
for (let round = 0; round < WARMUP + ROUNDS; round++) {
  const ms = await execute(['+', 1, 1]);
  if (round >= WARMUP) noop.push(ms);
}
console.log(
  `for scale: a no-op execute_script (RPC + job + history) takes ${median(noop).toFixed(1)} ms`,
);

runware.socket.close();
rpc.socket.close();
await server.stop();
await runtime.dispose();
await standIn.stop();
rmSync(dataDir, { recursive: true, force: true });
