import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const cli = join(import.meta.dir, '../../../apps/server/src/cli.ts');

/** Short lock so a killed worker's call is handed on within a couple of seconds. */
export const TEST_QUEUE_ENV = { VIWO_QUEUE_LOCK_MS: '1000', VIWO_EP: 'cpu' };

/** A child process whose combined output can be awaited line by line. */
export interface Child {
  process: ReturnType<typeof Bun.spawn>;
  /** Resolves once both output streams have ended. */
  drained: Promise<void>;
  /** Resolves with the output so far once it matches (rejects if the process exits first). */
  until(pattern: RegExp): Promise<string>;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/** Spawns the CLI-like command with the running Bun and watches its output. */
export function watch(command: string[], env: Record<string, string>): Child {
  const child = Bun.spawn([process.execPath, ...command], {
    stdin: 'ignore',
    env: { ...process.env, ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  let text = '';
  const waiters = new Set<() => void>();
  let ended = false;
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += decoder.decode(value, { stream: true });
      for (const wake of [...waiters]) wake();
    }
  };
  const drained = Promise.all([pump(child.stdout), pump(child.stderr)]).then(() => {
    ended = true;
    for (const wake of [...waiters]) wake();
  });
  return {
    process: child,
    drained,
    output: () => text,
    until(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(text)) {
            waiters.delete(check);
            resolve(text);
          } else if (ended) {
            waiters.delete(check);
            reject(new Error(`process ended before ${pattern}:\n${text}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return child.exited;
    },
  };
}

/** `viwo serve --queue` on a free port and its own data dir. */
export async function startQueueServer(
  redisUrl: string,
  options: { dataDir?: string; env?: Record<string, string> } = {},
): Promise<{ child: Child; url: string; wsUrl: string; dataDir: string; cleanup(): void }> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'viwo-qserver-'));
  const child = watch([cli, 'serve', '--port', '0', '--queue', redisUrl], {
    ...TEST_QUEUE_ENV,
    VIWO_DATA: dataDir,
    ...options.env,
  });
  const banner = await child.until(/listening on (http:\/\/\S+)/);
  const url = /listening on (http:\/\/\S+)/.exec(banner)![1]!;
  return {
    child,
    url,
    wsUrl: `${url.replace('http', 'ws')}/rpc`,
    dataDir,
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** `viwo worker` with its own data dir (installs the tiny test models on first start). */
export async function startWorker(
  redisUrl: string,
  serverUrl: string,
  options: { id: string; dataDir?: string; args?: string[]; env?: Record<string, string> },
): Promise<Child & { dataDir: string }> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), `viwo-${options.id}-`));
  const child = watch(
    [
      cli,
      'worker',
      '--queue',
      redisUrl,
      '--server',
      serverUrl,
      '--id',
      options.id,
      ...(options.args ?? []),
    ],
    { ...TEST_QUEUE_ENV, VIWO_DATA: dataDir, ...options.env },
  );
  await child.until(/worker \S+ ready/);
  return { ...child, dataDir };
}

/** Runs the CLI to completion (for `--queue` refusals and `setup gpu --check`). */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; output: string }> {
  const child = watch([cli, ...args], { ...TEST_QUEUE_ENV, ...env });
  const code = await child.process.exited;
  await child.drained;
  return { code, output: child.output() };
}
