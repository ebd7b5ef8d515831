import { expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime } from '../src/runtime.ts';
import { createTestPlugin } from '../src/testing/test-plugin.ts';

test('after a SIGKILL mid-job, committed history survives and the running job is interrupted', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'viwo-crash-'));
  const child = Bun.spawn(
    [process.execPath, join(import.meta.dir, 'fixtures', 'crash-child.ts'), dataDir],
    {
      stdout: 'pipe',
      stderr: 'inherit',
    },
  );
  const reader = child.stdout.getReader();
  let text = '';
  while (!text.includes('\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  child.kill('SIGKILL');
  await child.exited;
  const ids = JSON.parse(text) as { done: string; running: string };

  const runtime = await createRuntime({ dataDir, plugins: [createTestPlugin()] });
  expect(runtime.history.get(ids.done)).toMatchObject({ status: 'done', result: 4 });
  expect(runtime.history.get(ids.running).status).toBe('interrupted');
  expect(runtime.openSession('crash').getJob(ids.running).status).toBe('interrupted');
  await runtime.dispose();
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);
