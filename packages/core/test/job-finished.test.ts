import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FinishedJob } from '../src/jobs/job-finished.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import { createTestPlugin } from '../src/testing/test-plugin.ts';

let dir: string;
let runtime: Runtime;
const consoleError = console.error;
const reported: string[] = [];

const render = (prompt: string) => [
  'std.call_method',
  ['get_capability', 'test'],
  'render',
  prompt,
  { width: 8, height: 8 },
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'viwo-job-finished-'));
  runtime = await createRuntime({ dataDir: dir, plugins: [createTestPlugin()] });
  console.error = (...parts: unknown[]) => reported.push(parts.map(String).join(' '));
});
afterAll(async () => {
  console.error = consoleError;
  await runtime.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** Resolves with the next finished job a listener sees. */
function nextFinished(): Promise<FinishedJob> {
  return new Promise((resolve) => {
    const detach = runtime.onJobFinished((job) => {
      detach();
      resolve(job);
    });
  });
}

test('listeners see each job after its reply; failures are isolated; log() reaches history', async () => {
  const session = runtime.openSession('local');
  const notes: unknown[] = [];
  session.setNotifier((method, params) => notes.push([method, params]));
  const detachThrowing = runtime.onJobFinished(() => {
    throw new Error('a listener that throws');
  });
  const detachRejecting = runtime.onJobFinished(async () => {
    throw new Error('a listener that rejects');
  });
  const seen = nextFinished();
  const reply = await session.executeScript(render('a fox'));
  const job = await seen;
  expect(job).toMatchObject({ jobId: reply.job_id, status: 'done', images: reply.images });
  expect(job.user).toBeUndefined();
  // job.done went first: the listener ran after the reply and its notification.
  expect(notes.at(-1)).toEqual(['job.done', { job_id: reply.job_id, status: 'done' }]);
  job.log('info', 'written elsewhere');
  expect(notes.at(-1)).toEqual([
    'job.log',
    { job_id: reply.job_id, level: 'info', message: 'written elsewhere' },
  ]);
  expect(runtime.history.get(reply.job_id).logs.at(-1)).toEqual({
    level: 'info',
    message: 'written elsewhere',
  });

  const failed = nextFinished();
  await expect(session.executeScript(['+', 1, 'x'])).rejects.toThrow();
  expect((await failed).status).toBe('error');
  expect(reported.filter((line) => line.includes('job-finished listener failed'))).toHaveLength(4);
  detachThrowing();
  detachRejecting();
  session.close();
});
