import { afterAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const work = mkdtempSync(join(tmpdir(), 'viwo-serve-'));
const cli = join(import.meta.dir, '../../apps/server/src/cli.ts');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Accumulates a child's stdout; `until` reads on until the text matches (or the stream ends). */
function outputOf(stream: ReadableStream<Uint8Array>) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = '';
  return {
    async until(pattern: RegExp): Promise<string> {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      return text;
    },
  };
}

test('viwo serve answers on its port and shuts down cleanly on SIGTERM', async () => {
  const child = Bun.spawn(['bun', cli, 'serve', '--port', '0'], {
    env: { ...process.env, VIWO_DATA: join(work, 'data') },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  try {
    const output = outputOf(child.stdout);
    const banner = await output.until(/listening on (http:\/\/\S+)/);
    const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1];
    expect(url).toBeDefined();
    const health = await fetch(new URL('/health', url));
    expect(health.status).toBe(200);
    expect(await health.json()).toHaveProperty('plugins');

    child.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(await output.until(/shutting down/)).toContain('shutting down');
    expect(await new Response(child.stderr).text()).not.toContain('    at ');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 60_000);
