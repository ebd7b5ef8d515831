import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobProgress } from '@viwo/protocol';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import { createFailingPlugin, createTestPlugin } from '../src/testing/test-plugin.ts';

let dir: string;
let runtime: Runtime;
const plugin = createTestPlugin();
const logged: string[] = [];

const render = (options: Record<string, unknown> = {}, prompt = 'a fox') => [
  'std.call_method',
  ['get_capability', 'test'],
  'render',
  prompt,
  options,
];

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'viwo-runtime-'));
  runtime = await createRuntime({
    dataDir: dir,
    plugins: [createFailingPlugin(), plugin],
    logger: (name, level, message) => logged.push(`${name} ${level} ${message}`),
  });
});
afterAll(async () => {
  await runtime.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('runtime facade', () => {
  test('a failing plugin is isolated and reported in health', () => {
    const health = runtime.health();
    expect(health.status).toBe('degraded');
    expect(health.plugins).toEqual([
      { name: 'failing', version: '0.0.1', status: 'failed', error: 'model files missing' },
      { name: 'test', version: '1.0.0', status: 'ok' },
    ]);
    expect(health.execution_provider).toBe('cpu');
    expect(health.versions.viwo).toBe('0.1.0');
    expect(logged.some((line) => line.startsWith('failing error'))).toBe(true);
  });

  test('metadata comes from the declarations; opcodes include kernel and plugin opcodes', () => {
    const [test] = runtime.capabilityMetadata();
    expect(test?.type).toBe('test');
    expect(test?.methods.map((m) => m.name)).toEqual([
      'echo',
      'render',
      'invert',
      'echo_via',
      'fail',
    ]);
    const renderMethod = test?.methods[1];
    expect(renderMethod?.params[1]?.fields?.find((f) => f.name === 'color')?.options).toEqual([
      'red',
      'green',
      'blue',
    ]);
    expect(JSON.stringify(test)).not.toContain('run');
    const names = runtime.opcodeMetadata().map((o) => o.opcode);
    for (const name of [
      'get_capability',
      'mint',
      'delegate',
      'give_capability',
      'has_capability',
      'revoke',
      'std.call_method',
      'test.double',
    ]) {
      expect(names).toContain(name);
    }
  });

  test('executeScript: result, images, seeds and progress before the reply, job.done after', async () => {
    const session = runtime.openSession('alice');
    const events: string[] = [];
    session.setNotifier((method, params) =>
      events.push(
        `${method}:${'step' in params ? params.step : 'status' in params ? params.status : ''}`,
      ),
    );
    const reply = await session.executeScript(render({ steps: 3, seed: 7, width: 8, height: 4 }));
    events.push('reply');
    expect(reply.result).toMatchObject({ width: 8, height: 4 });
    expect(reply.images).toEqual([reply.result as never]);
    expect(typeof reply.duration_ms).toBe('number');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(events).toEqual([
      'job.progress:1',
      'job.progress:2',
      'job.progress:3',
      'reply',
      'job.done:done',
    ]);
    const entry = runtime.history.get(reply.job_id);
    expect(entry).toMatchObject({ status: 'done', seeds: [7], images: reply.images });
    expect(entry.params[0]).toMatchObject({
      type: 'test',
      method: 'render',
      args: ['a fox', { steps: 3, color: 'red' }],
    });
    expect(await runtime.images.getText((reply.result as { $image: string }).$image)).toEqual({
      parameters: 'a fox',
    });
    expect(session.getJob(reply.job_id).status).toBe('done');
    expect(session.listJobs().map((j) => j.job_id)).toContain(reply.job_id);
  });

  test('progress carries fraction, eta and previews; previews are not job images', async () => {
    const session = runtime.openSession('alice');
    const progress: JobProgress[] = [];
    session.setNotifier((method, params) => {
      if (method === 'job.progress') progress.push(params);
    });
    const reply = await session.executeScript(render({ steps: 4, preview: true, delay_ms: 2 }));
    expect(progress.map((p) => p.fraction)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(progress[0]?.eta_ms).toBeNull();
    expect(typeof progress[3]?.eta_ms).toBe('number');
    expect(progress.every((p) => (p.preview as { width: number }).width === 2)).toBe(true);
    expect(reply.images).toEqual([reply.result as never]);
  });

  test('images in the result that the job did not write are reported too', async () => {
    const session = runtime.openSession('alice');
    const uploaded = await runtime.images.putRaw({
      data: new Uint8Array(12).fill(7),
      width: 2,
      height: 2,
      channels: 3,
    });
    const reply = await session.executeScript({ picked: uploaded, note: 'literal' });
    expect(reply.images).toEqual([uploaded]);
  });

  test('finalizer images come last in images; each job gets a fresh host', async () => {
    const session = runtime.openSession('alice');
    const reply = await session.executeScript([
      'std.seq',
      ['test.finalize', 200],
      render({ width: 2, height: 2, steps: 1 }),
    ]);
    expect(reply.images.length).toBe(2);
    expect(reply.images[0]).toEqual(reply.result as never);
    expect(reply.images[1]).toMatchObject({ width: 1, height: 1 });
    const next = await session.executeScript(['test.double', 1]);
    expect(next.images).toEqual([]);
  });

  test('costly calls from different sessions take the device one at a time', async () => {
    const events: string[] = [];
    const start = (name: string) => {
      const session = runtime.openSession(name);
      session.setNotifier((method, params) => {
        if (method === 'job.progress') events.push(`${name}${params.step}`);
      });
      return session.executeScript(render({ steps: 3, delay_ms: 3 }));
    };
    await Promise.all([start('p'), start('q')]);
    expect(events).toEqual(['p1', 'p2', 'p3', 'q1', 'q2', 'q3']);
  });

  test('text-form scripts and plugin opcodes run', async () => {
    const session = runtime.openSession('alice');
    const reply = await session.executeScript('(test.double 21)', { parent_id: 'job_parent' });
    expect(reply.result).toBe(42);
    expect(runtime.history.get(reply.job_id).parent_id).toBe('job_parent');
  });

  test('invalid scripts and bad arguments are ScriptErrors with codes', async () => {
    const session = runtime.openSession('alice');
    const invalid = await rejection(session.executeScript(['bad.op']));
    expect(invalid.code).toBe('InvalidScript');
    expect((invalid as unknown as { errors: unknown[] }).errors.length).toBe(1);
    const wrong = await rejection(session.executeScript(render({ steps: 'many' })));
    expect(wrong.code).toBe('InvalidArgument');
    expect(wrong.message).toContain('options.steps');
    const range = await rejection(session.executeScript(render({ steps: 5000 })));
    expect(range.message).toContain('at most 1000');
    const unknown = await rejection(session.executeScript(render({ stpes: 5 })));
    expect(unknown.message).toContain('options.stpes');
    const badEnum = await rejection(session.executeScript(render({ color: 'pink' })));
    expect(badEnum.message).toContain('"red", "green", "blue"');
    const missing = await rejection(
      session.callMethod(session.getCapability('test'), 'invert', [
        { $image: 'a'.repeat(64), width: 1, height: 1 },
      ]),
    );
    expect(missing.message).toContain('image image');
    const failed = await rejection(
      session.callMethod(session.getCapability('test'), 'fail', ['boom']),
    );
    expect(failed).toMatchObject({ code: 'PluginError', message: 'test.fail failed: boom' });
    const proto = await rejection(
      session.callMethod(session.getCapability('test'), 'toString', []),
    );
    expect(proto.code).toBe('InvalidArgument');
  });

  test('cancelling a job stops it between steps and records it as cancelled', async () => {
    const session = runtime.openSession('alice');
    let jobId = '';
    session.setNotifier((method, params) => {
      if (method === 'job.progress' && !jobId) {
        jobId = params.job_id as string;
        session.cancelJob(jobId);
      }
    });
    const error = await rejection(session.executeScript(render({ steps: 1000, delay_ms: 5 })));
    expect(error.code).toBe('Cancelled');
    expect(session.getJob(jobId).status).toBe('cancelled');
    expect(runtime.history.get(jobId).status).toBe('cancelled');
  });

  test('composition through context.invoke uses the session capabilities', async () => {
    const session = runtime.openSession('alice');
    expect(await session.callMethod(session.getCapability('test'), 'echo_via', ['x'])).toBe(
      'via:x',
    );
  });

  test('a closed session does not kill its job; the result lands in history', async () => {
    const session = runtime.openSession('bob');
    const running = session.executeScript(render({ steps: 3, delay_ms: 20 }));
    session.close();
    const reply = await running;
    expect(runtime.history.get(reply.job_id).status).toBe('done');
    const again = runtime.openSession('bob');
    expect(again.getJob(reply.job_id).status).toBe('done');
  });

  test('gc removes images no history entry or template references', async () => {
    const kept = await runtime.images.putRaw({
      data: new Uint8Array(3).fill(1),
      width: 1,
      height: 1,
      channels: 3,
    });
    runtime.templates.save({ name: 't', script: ['test.double', 1], thumbnail: kept });
    const orphan = await runtime.images.putRaw({
      data: new Uint8Array(3).fill(9),
      width: 1,
      height: 1,
      channels: 3,
    });
    expect((await runtime.gc({ olderThanMs: 60_000 })).removed).toBe(0);
    expect(await runtime.images.has(orphan.$image)).toBe(true);
    const { removed } = await runtime.gc();
    expect(removed).toBeGreaterThanOrEqual(1);
    expect(await runtime.images.has(orphan.$image)).toBe(false);
    expect(await runtime.images.has(kept.$image)).toBe(true);
    const done = runtime.history.list({ type: 'test' }).find((e) => e.images.length > 0)!;
    expect(await runtime.images.has(done.images[0]!.$image)).toBe(true);
  });
});

describe('plugin isolation', () => {
  test('a plugin declaring an already registered type fails alone', async () => {
    const isolationDir = await mkdtemp(join(tmpdir(), 'viwo-isolation-'));
    const duplicate = { ...createTestPlugin(), name: 'duplicate', opcodes: undefined };
    const local = await createRuntime({
      dataDir: isolationDir,
      plugins: [createTestPlugin(), duplicate],
      logger: () => {},
    });
    const health = local.health().plugins;
    expect(health.map((p) => p.status)).toEqual(['ok', 'failed']);
    expect(health[1]?.error).toContain('capability type test is already registered');
    expect(local.capabilityMetadata().length).toBe(1);
    await local.dispose();
    await rm(isolationDir, { recursive: true, force: true });
  });
});

describe('restart', () => {
  test('jobs a previous process left running are marked interrupted; dispose disposes plugins', async () => {
    const restartDir = await mkdtemp(join(tmpdir(), 'viwo-restart-'));
    const first = await createRuntime({ dataDir: restartDir, plugins: [createTestPlugin()] });
    first.history.begin({ jobId: 'job_lost', sessionId: 's', script: 1 });
    first.history.setStatus('job_lost', 'running');
    // Simulates a crash: the row stays `running` in the committed database.
    const testPlugin = createTestPlugin();
    await first.dispose();
    const second = await createRuntime({ dataDir: restartDir, plugins: [testPlugin] });
    expect(second.history.get('job_lost').status).toBe('interrupted');
    expect(second.openSession('x').getJob('job_lost').status).toBe('interrupted');
    await second.dispose();
    await second.dispose();
    expect(testPlugin.disposed).toBe(true);
    await rm(restartDir, { recursive: true, force: true });
  });

  test('dispose cancels running jobs cleanly', async () => {
    const disposeDir = await mkdtemp(join(tmpdir(), 'viwo-dispose-'));
    const local = await createRuntime({ dataDir: disposeDir, plugins: [createTestPlugin()] });
    const session = local.openSession('x');
    const running = rejection(session.executeScript(render({ steps: 1000, delay_ms: 10 })));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const direct = rejection(
      session.callMethod(session.getCapability('test'), 'render', [
        'p',
        { steps: 1000, delay_ms: 10 },
      ]),
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    await local.dispose();
    expect((await running).code).toBe('Cancelled');
    expect((await direct).code).toBe('Cancelled');
    await rm(disposeDir, { recursive: true, force: true });
  });
});
