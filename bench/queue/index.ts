/**
 * Queue-mode overhead: the same capability call through a plain `viwo serve` (in-process) and
 * through `viwo serve --queue` + one `viwo worker` (server → Redis → worker → server, input and
 * result images over HTTP), both driven over the JSON-RPC WebSocket, alternately, in one run.
 * The difference of the medians is the per-call cost of queue mode.
 *
 *   bun bench/queue/index.ts [--runs N]
 */
import { rmSync } from 'node:fs';
import sharp from 'sharp';
import { startQueueServer, startWorker, watch } from '../../tests/queue/support/queue-harness.ts';
import { observeQueue } from '../../tests/queue/support/queue-scripts.ts';
import { startRedis } from '../../tests/queue/support/redis-server.ts';
import { TestRpcClient } from '../../tests/server/rpc-client.ts';
import { pairedMedians } from '../paired-medians.ts';

const argv = process.argv.slice(2);
const runsFlag = argv.indexOf('--runs');
const runs = runsFlag >= 0 ? Number(argv[runsFlag + 1]) : 9;
const cli = new URL('../../apps/server/src/cli.ts', import.meta.url).pathname;

interface Target {
  rpc: TestRpcClient;
  url: string;
}

async function plainServer(): Promise<{ target: Target; stop(): Promise<void> }> {
  const dataDir = `${process.env.TMPDIR ?? '/tmp'}/viwo-bench-plain-${process.pid}`;
  const child = watch([cli, 'serve', '--port', '0'], { VIWO_DATA: dataDir, VIWO_EP: 'cpu' });
  const banner = await child.until(/listening on (http:\/\/\S+)/);
  const url = /listening on (http:\/\/\S+)/.exec(banner)![1]!;
  const rpc = await TestRpcClient.connect(`${url.replace('http', 'ws')}/rpc`);
  return {
    target: { rpc, url },
    async stop() {
      rpc.close();
      await child.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function upload(url: string, png: Uint8Array): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/images`, {
    method: 'POST',
    body: new Blob([new Uint8Array(png)]),
  });
  return (await response.json()) as Record<string, unknown>;
}

async function run(target: Target, script: unknown): Promise<void> {
  const reply = await target.rpc.request('execute_script', { script });
  if (reply.error) throw new Error(JSON.stringify(reply.error));
}

const redis = await startRedis();
const plain = await plainServer();
const queued = await startQueueServer(redis.url, { env: { VIWO_QUEUE_LOCK_MS: '10000' } });
const worker = await startWorker(redis.url, queued.url, { id: 'bench-worker' });
const queueRpc = await TestRpcClient.connect(queued.wsUrl);
const queue: Target = { rpc: queueRpc, url: queued.url };
try {
  // Every timed call must really run: the result cache answers a repeated deterministic call
  // (a seeded txt2img, any upscale of the same image) without the model or the queue. So the
  // txt2img is unseeded and each upscale gets an input image of its own, uploaded beforehand.
  const WARMUPS = 5;
  const distinctInputs = async (url: string) => {
    const images: Record<string, unknown>[] = [];
    for (let index = 0; index < 2 * (WARMUPS + runs) + 2; index++) {
      const png = await sharp({
        create: { width: 64, height: 64, channels: 3, background: { r: index, g: 140, b: 200 } },
      })
        .png()
        .toBuffer();
      images.push(await upload(url, new Uint8Array(png)));
    }
    return () => images.pop()!;
  };
  const nextPlainImage = await distinctInputs(plain.target.url);
  const nextQueueImage = await distinctInputs(queue.url);
  const generate = {
    name: 'txt2img 64×64, 4 steps (tiny-sd15)',
    script: () => [
      'std.call_method',
      ['get_capability', 'diffusers.generate'],
      'textToImage',
      'a lighthouse',
      { steps: 4, width: 64, height: 64 },
    ],
  };
  const upscale = (image: unknown) => [
    'std.call_method',
    ['get_capability', 'upscale'],
    'upscale',
    image,
    {},
  ];
  // Where queue mode spends its time, from BullMQ's own events: queueing (request → job added),
  // pickup (added → a worker took it), hand-back (completed → reply at the client).
  const events = observeQueue(redis.url, 'diffusers');
  await events.waitUntilReady();
  const stamps = new Map<string, Record<string, number>>();
  for (const name of ['waiting', 'active', 'completed'] as const) {
    events.on(name, ({ jobId }: { jobId: string }) => {
      const entry = stamps.get(jobId) ?? {};
      entry[name] ??= performance.now();
      stamps.set(jobId, entry);
    });
  }
  const phases: Record<'queueing' | 'pickup' | 'handBack', number[]> = {
    queueing: [],
    pickup: [],
    handBack: [],
  };
  const tracedQueueRun = async () => {
    const sent = performance.now();
    await run(queue, generate.script());
    const replied = performance.now();
    const entry = [...stamps.values()].at(-1);
    if (entry?.waiting && entry.active && entry.completed) {
      phases.queueing.push(entry.waiting - sent);
      phases.pickup.push(entry.active - entry.waiting);
      phases.handBack.push(replied - entry.completed);
    }
  };
  const rows: string[][] = [];
  const [genPlain, genQueue] = await pairedMedians(
    runs,
    () => run(plain.target, generate.script()),
    tracedQueueRun,
    WARMUPS,
  );
  await events.close();
  const median = (list: number[]) =>
    list.length > 0 ? list.sort((a, b) => a - b)[Math.floor(list.length / 2)]!.toFixed(1) : 'n/a';
  rows.push([
    generate.name,
    genPlain.toFixed(1),
    genQueue.toFixed(1),
    (genQueue - genPlain).toFixed(1),
  ]);
  const [upPlain, upQueue] = await pairedMedians(
    runs,
    () => run(plain.target, upscale(nextPlainImage())),
    () => run(queue, upscale(nextQueueImage())),
    WARMUPS,
  );
  rows.push([
    'ESRGAN upscale 64×64 → 256×256 (default model)',
    upPlain.toFixed(1),
    upQueue.toFixed(1),
    (upQueue - upPlain).toFixed(1),
  ]);
  // The image-transfer share of the upscale's overhead: one worker-style verbatim upload of
  // the 256×256 result (the input is fetched once per worker, then cached by hash).
  const upscaled = await queue.rpc.request('execute_script', {
    script: upscale(nextQueueImage()),
  });
  const resultHash = (upscaled.result as { result: { $image: string } }).result.$image;
  const resultPng = new Uint8Array(
    await (await fetch(`${queue.url}/images/${resultHash}.png`)).arrayBuffer(),
  );
  const [transfer] = await pairedMedians(
    runs,
    async () => {
      const response = await fetch(`${queue.url}/images`, {
        method: 'POST',
        headers: { 'x-viwo-worker': 'bench' },
        body: new Blob([resultPng]),
      });
      await response.arrayBuffer();
    },
    async () => {},
    WARMUPS,
  );
  rows.push([
    `of which result upload (${(resultPng.length / 1024).toFixed(0)} KiB PNG, verbatim)`,
    '',
    '',
    transfer.toFixed(1),
  ]);
  rows.push([
    `txt2img queue phases: queueing ${median(phases.queueing)}, pickup ${median(phases.pickup)}, hand-back ${median(phases.handBack)}`,
    '',
    '',
    '',
  ]);
  console.log(`median of ${runs} runs each, measured alternately after warm-up (ms per call):`);
  console.log('| call | in-process | queue mode | queue overhead |');
  console.log('|---|---:|---:|---:|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
} finally {
  queueRpc.close();
  await worker.stop();
  await queued.child.stop();
  await plain.stop();
  await redis.stop();
  queued.cleanup();
  rmSync(worker.dataDir, { recursive: true, force: true });
}
