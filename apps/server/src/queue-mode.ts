import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Runtime } from '@viwo/core';
import { QueueDispatcher } from './queue/queue-dispatcher.ts';
import { parseQueueUrl } from './queue/queue-settings.ts';

/**
 * The id that marks this server's calls in Redis; kept in the data dir so that after a restart
 * the server recognises (and removes) the calls its previous run left behind.
 */
async function stableServerId(dataDir: string): Promise<string> {
  const file = join(dataDir, 'queue-server-id');
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (/^[0-9a-f]{16,64}$/.test(existing)) return existing;
  } catch {
    // First start in queue mode: create it below.
  }
  const id = randomBytes(12).toString('hex');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${id}\n`);
  return id;
}

/**
 * `serve --queue URL` / `VIWO_QUEUE`: connects to Redis (throwing a clear error when it does not
 * answer) and returns the dispatcher to inject into the runtime; undefined without a URL.
 */
export async function openQueueMode(
  raw: string | undefined,
  dataDir: string,
  log: (message: string) => void,
): Promise<QueueDispatcher | undefined> {
  if (raw === undefined || raw === '') return undefined;
  const url = parseQueueUrl(raw, '--queue');
  const dispatcher = await QueueDispatcher.connect(url, await stableServerId(dataDir), log);
  log(`queue mode: costed calls go to ${url.display}`);
  return dispatcher;
}

/** Opens the queues of the plugins that loaded and clears what a previous run left in them. */
export async function attachQueueMode(
  dispatcher: QueueDispatcher,
  runtime: Runtime,
): Promise<void> {
  const plugins = runtime
    .health()
    .plugins.filter((plugin) => plugin.status === 'ok')
    .map((plugin) => plugin.name);
  const { removed } = await dispatcher.attach(plugins);
  if (removed > 0) console.log(`queue: removed ${removed} call(s) left over from a previous run`);
}

/** One line per plugin that runs models: the provider it really uses (after any fallback). */
export function providerLines(runtime: Runtime): string[] {
  return runtime
    .health()
    .plugins.filter((plugin) => plugin.execution_provider)
    .map((plugin) => `plugin ${plugin.name}: execution provider ${plugin.execution_provider}`);
}
