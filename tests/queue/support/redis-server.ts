import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real redis-server of our own on a random loopback port, with a temp dir and no persistence. */
export interface TestRedis {
  port: number;
  url: string;
  /** Stops it (SIGKILL: an outage, not a clean shutdown). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A port the OS says is free right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function spawnRedis(port: number, dir: string): Promise<ReturnType<typeof Bun.spawn>> {
  const child = Bun.spawn(
    [
      'redis-server',
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--daemonize',
      'no',
    ],
    { stdout: 'pipe', stderr: 'pipe' },
  );
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!/Ready to accept connections/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`redis-server exited before it was ready:\n${text}`);
    text += decoder.decode(value, { stream: true });
  }
  // Keep draining so a full pipe never blocks redis-server.
  void (async () => {
    for (;;) {
      const { done } = await reader.read().catch(() => ({ done: true }));
      if (done) return;
    }
  })();
  return child;
}

/** Starts redis-server (Debian's `redis-server`, installed by .ci/run). */
export async function startRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'viwo-redis-'));
  const port = await freePort();
  let child = await spawnRedis(port, dir);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      child.kill('SIGKILL');
      await child.exited;
    },
    async restart() {
      child = await spawnRedis(port, dir);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await child.exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
