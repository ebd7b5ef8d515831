import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { createRuntime, type Runtime } from '@viwo/core';
import { loadPlugins } from './plugins.ts';
import { parseQueueUrl, queueTiming, WORKER_HEADER } from './queue/queue-settings.ts';
import { QueueWorker } from './queue/queue-worker.ts';
import { ServerImages } from './queue/server-images.ts';
import { providerLines } from './queue-mode.ts';

/** Plugins a worker can serve (device work); the server keeps canvas, runware and refine. */
const DEVICE_PLUGINS = ['diffusers', 'upscale'];

const WORKER_USAGE =
  'usage: viwo worker --queue redis://HOST:PORT --server http://HOST:PORT [--token T] [--capabilities diffusers,upscale] [--concurrency 1] [--id NAME]';

interface WorkerFlags {
  queue: string;
  server: string;
  token: string | undefined;
  capabilities: string[];
  concurrency: number;
  id: string;
}

/** Reads the worker's flags (falling back to VIWO_QUEUE, VIWO_SERVER, VIWO_WORKER_TOKEN). */
function parseWorkerFlags(args: string[]): WorkerFlags {
  const flags = new Map<string, string>();
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    const value = args[index + 1];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}\n${WORKER_USAGE}`);
    if (value === undefined || value.startsWith('--')) throw new Error(`${arg} needs a value`);
    flags.set(arg.slice(2), value);
    index++;
  }
  const known = new Set(['queue', 'server', 'token', 'capabilities', 'concurrency', 'id']);
  for (const name of flags.keys()) {
    if (!known.has(name)) throw new Error(`unknown flag --${name}\n${WORKER_USAGE}`);
  }
  const queue = flags.get('queue') ?? process.env.VIWO_QUEUE;
  const server = flags.get('server') ?? process.env.VIWO_SERVER;
  if (!queue || !server) throw new Error(`--queue and --server are required\n${WORKER_USAGE}`);
  if (!/^https?:\/\/[^/]+/.test(server)) {
    throw new Error(`--server must be the server's http(s) URL, got ${JSON.stringify(server)}`);
  }
  const capabilities = (flags.get('capabilities') ?? DEVICE_PLUGINS.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of capabilities) {
    if (!DEVICE_PLUGINS.includes(name)) {
      throw new Error(
        `--capabilities: ${JSON.stringify(name)} is not a worker capability (${DEVICE_PLUGINS.join(', ')})`,
      );
    }
  }
  const concurrency = Number(flags.get('concurrency') ?? 1);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new Error(
      `--concurrency must be a whole number from 1 to 64, got ${flags.get('concurrency')}`,
    );
  }
  const id = flags.get('id') ?? `${hostname()}-${process.pid}`;
  if (!/^[\w.:@-]{1,128}$/.test(id))
    throw new Error(`--id ${JSON.stringify(id)} is not a valid id`);
  return {
    queue,
    server: server.replace(/\/+$/, ''),
    token: flags.get('token') ?? process.env.VIWO_WORKER_TOKEN,
    capabilities,
    concurrency,
    id,
  };
}

/** Proves the server answers and accepts this worker before any call is taken. */
async function checkServer(flags: WorkerFlags): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${flags.server}/images/${'0'.repeat(64)}.png`, {
      headers: {
        [WORKER_HEADER]: flags.id,
        ...(flags.token ? { authorization: `Bearer ${flags.token}` } : {}),
      },
    });
  } catch (error) {
    throw new Error(`cannot reach the server at ${flags.server}: ${(error as Error).message}`);
  }
  if (response.status === 401 || response.status === 403) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new Error(
      `the server at ${flags.server} refused this worker: ${body.error ?? response.status}`,
    );
  }
}

/**
 * `viwo worker`: runs queued capability calls with this machine's plugins and models. Returns -1
 * while running (it exits on SIGINT/SIGTERM), or an exit code when it could not start.
 */
export async function workerCommand(args: string[]): Promise<number> {
  let runtime: Runtime | undefined;
  try {
    const flags = parseWorkerFlags(args);
    const url = parseQueueUrl(flags.queue, '--queue');
    await checkServer(flags);
    const dataDir = resolve(process.env.VIWO_DATA ?? './data');
    runtime = await createRuntime({
      dataDir,
      plugins: await loadPlugins(flags.capabilities),
      deviceConcurrency: flags.concurrency,
    });
    const health = runtime.health().plugins;
    for (const plugin of health) {
      if (plugin.status !== 'ok') console.error(`plugin ${plugin.name} failed: ${plugin.error}`);
    }
    for (const line of providerLines(runtime)) console.log(line);
    const plugins = health.filter((plugin) => plugin.status === 'ok').map((plugin) => plugin.name);
    if (plugins.length === 0) throw new Error('no plugin loaded; this worker could serve nothing');
    const timing = queueTiming();
    const worker = await QueueWorker.start({
      id: flags.id,
      url,
      runtime,
      images: new ServerImages(flags.server, flags.id, flags.token),
      plugins,
      concurrency: flags.concurrency,
      lockMs: timing.lockMs,
      stalledMs: timing.stalledMs,
      log: (line) => console.error(line),
    });
    console.log(
      `worker ${flags.id} ready: ${plugins.join(', ')} from ${url.display} for ${flags.server} (data: ${dataDir})`,
    );
    const ready = runtime;
    let stopping = false;
    const shutdown = async () => {
      if (stopping) return;
      stopping = true;
      console.log(`worker ${flags.id} stopping: finishing running calls`);
      await worker.stop();
      await ready.dispose();
      process.exit(0);
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
    return -1;
  } catch (error) {
    console.error(`viwo worker: ${(error as Error).message}`);
    await runtime?.dispose();
    return 1;
  }
}
