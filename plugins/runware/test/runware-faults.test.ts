import { afterEach, describe, expect, test } from 'bun:test';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageValue } from '@viwo/core';
import { createTestPlugin } from '@viwo/core/testing';
import { ScriptError } from '@viwo/script';
import { storeRunwareKey } from '../src/index.ts';
import { call, type RunwareFixture, runwareFixture, TEST_KEY } from './support/runware-fixture.ts';

const OTHER_KEY = 'other-key-9876543210';

let fixture: RunwareFixture | undefined;

afterEach(async () => {
  await fixture?.dispose();
  fixture = undefined;
});

async function failure(promise: Promise<unknown>): Promise<ScriptError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ScriptError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

function tasksOf(f: RunwareFixture, taskType: string) {
  return f.standIn.received.filter((entry) => entry.task.taskType === taskType);
}

async function storedImageCount(dataDir: string): Promise<number> {
  let count = 0;
  const root = join(dataDir, 'images');
  for (const prefix of await readdir(root).catch(() => [] as string[])) {
    count += (await readdir(join(root, prefix))).length;
  }
  return count;
}

const TEXT = (prompt: string, options: Record<string, unknown> = {}) =>
  call('textToImage', prompt, { width: 128, height: 128, seed: 21, ...options });

describe('runware faults', () => {
  test('a socket dropped mid-task reconnects, re-authenticates and re-sends with the same seed', async () => {
    fixture = await runwareFixture();
    const clean = await fixture.session.executeScript(TEXT('a harbour'));
    fixture.standIn.inject('imageInference', 'drop');
    const result = await fixture.session.executeScript(TEXT('a harbour'));
    expect((result.result as ImageValue).$image).toBe((clean.result as ImageValue).$image);
    const sends = tasksOf(fixture, 'imageInference').slice(1);
    expect(sends).toHaveLength(2);
    expect(sends[1]!.connection).toBeGreaterThan(sends[0]!.connection);
    expect(sends[1]!.task.seed).toBe(sends[0]!.task.seed);
    const auths = tasksOf(fixture, 'authentication');
    expect(auths.at(-1)!.connection).toBe(sends[1]!.connection);
  });

  test('a connection that stops answering pings is closed and the task re-sent', async () => {
    fixture = await runwareFixture({ heartbeatMs: 50 });
    fixture.standIn.setPongs(false);
    fixture.standIn.inject('imageInference', 'hold');
    void fixture.standIn
      .waitForTask('imageInference', 2)
      .then(() => fixture?.standIn.setPongs(true));
    const result = await fixture.session.executeScript(TEXT('half-open'));
    expect(result.images).toHaveLength(1);
    const sends = tasksOf(fixture, 'imageInference');
    expect(sends).toHaveLength(2);
    expect(sends[1]!.connection).toBeGreaterThan(sends[0]!.connection);
    expect(fixture.logs.some((line) => line.includes('no pong'))).toBe(true);
  });

  test('when no connection comes back within the window the task fails clearly', async () => {
    fixture = await runwareFixture({ reconnectWindowMs: 300 });
    fixture.standIn.inject('imageInference', 'hold');
    const pending = failure(fixture.session.executeScript(TEXT('gone')));
    await fixture.standIn.waitForTask('imageInference');
    await fixture.standIn.stop();
    const error = await pending;
    expect(error.code).toBe('Unavailable');
    expect(error.message).toContain('could not connect to Runware within 0.3 s');
  });

  test('a second drop while re-sending gives a clear error', async () => {
    fixture = await runwareFixture();
    fixture.standIn.inject('imageInference', 'drop');
    fixture.standIn.inject('imageInference', 'drop');
    const error = await failure(fixture.session.executeScript(TEXT('a storm')));
    expect(error.code).toBe('Unavailable');
    expect(error.message).toContain('dropped again');
    // The plugin still works afterwards.
    const after = await fixture.session.executeScript(TEXT('a storm'));
    expect(after.images).toHaveLength(1);
  });

  test('no answer before the task timeout is a clear error, and nothing is stored', async () => {
    fixture = await runwareFixture({ taskTimeoutMs: 150 });
    const before = await storedImageCount(fixture.dataDir);
    fixture.standIn.inject('imageInference', 'silence');
    const error = await failure(fixture.session.executeScript(TEXT('silence')));
    expect(error.code).toBe('Unavailable');
    expect(error.message).toContain('did not finish the imageInference task within 0.2 s');
    expect(await storedImageCount(fixture.dataDir)).toBe(before);
  });

  test('an invalid key is "Runware rejected the API key", never echoed, never retried', async () => {
    fixture = await runwareFixture({ apiKey: 'wrong-key-abcdef123' });
    const error = await failure(fixture.session.executeScript(TEXT('hello')));
    expect(error.code).toBe('CapabilityDenied');
    expect(error.message).toContain('Runware rejected the API key');
    expect(error.message).not.toContain('wrong-key-abcdef123');
    expect(tasksOf(fixture, 'authentication')).toHaveLength(1);
    expect(tasksOf(fixture, 'imageInference')).toHaveLength(0);
  });

  test('without any key the error says how to set one', async () => {
    fixture = await runwareFixture({ apiKey: undefined });
    const error = await failure(fixture.session.executeScript(TEXT('hello')));
    expect(error.code).toBe('CapabilityDenied');
    expect(error.message).toContain('viwo config set runware.api_key');
    expect(error.message).toContain('RUNWARE_API_KEY');
    expect(fixture.standIn.connections()).toBe(0);
  });

  test('an error for another task is ignored; the right answer still arrives', async () => {
    fixture = await runwareFixture();
    fixture.standIn.inject('imageInference', 'error-for-other-task');
    const result = await fixture.session.executeScript(TEXT('mine'));
    expect(result.images).toHaveLength(1);
  });

  test("Runware's validation error names its code, the parameter and our option name", async () => {
    fixture = await runwareFixture();
    const error = await failure(
      fixture.session.executeScript(TEXT('a model typo', { model_id: 'flux-dev' })),
    );
    expect(error.code).toBe('InvalidArgument');
    expect(error.message).toContain(
      'runware.textToImage: options.model_id: Runware refused the task: invalidModel',
    );
    expect(error.message).toContain('parameter model = our model_id');
    expect(error.message).toContain('expected an AIR id');
  });

  test('a malformed message fails the task it names, cleanly; the next call works', async () => {
    fixture = await runwareFixture();
    fixture.standIn.inject('imageInference', 'malformed');
    const error = await failure(fixture.session.executeScript(TEXT('garbled')));
    expect(error.code).toBe('PluginError');
    expect(error.message).toContain('not JSON');
    expect((await fixture.session.executeScript(TEXT('fine'))).images).toHaveLength(1);
  });

  test('an oversized image is refused and nothing partial is stored', async () => {
    fixture = await runwareFixture({ maxResultBytes: 256 * 1024 }, { oversizeBytes: 512 * 1024 });
    const before = await storedImageCount(fixture.dataDir);
    fixture.standIn.inject('imageInference', 'oversize');
    const error = await failure(fixture.session.executeScript(TEXT('huge', { batch_size: 2 })));
    expect(error.code).toBe('PluginError');
    expect(error.message).toMatch(/over the 262144-byte limit/);
    expect(await storedImageCount(fixture.dataDir)).toBe(before);
  });

  test('an oversized message is refused before parsing', async () => {
    fixture = await runwareFixture({ maxMessageBytes: 4096 });
    const error = await failure(fixture.session.executeScript(TEXT('big frame')));
    expect(error.code).toBe('PluginError');
    expect(error.message).toContain('over the 4096-byte limit');
  });

  test('a result URL on another host is never fetched', async () => {
    fixture = await runwareFixture({ outputType: 'URL' });
    fixture.standIn.inject('imageInference', 'foreign-url');
    const error = await failure(fixture.session.executeScript(TEXT('elsewhere')));
    expect(error.code).toBe('PluginError');
    expect(error.message).toContain('refused to fetch a result from 169.254.169.254');
  });

  test('URL and data-URI outputs are fetched from the endpoint host and decoded', async () => {
    fixture = await runwareFixture({ outputType: 'URL' });
    const viaUrl = await fixture.session.executeScript(TEXT('same picture'));
    await fixture.dispose();
    fixture = await runwareFixture({ outputType: 'dataURI' });
    const viaDataUri = await fixture.session.executeScript(TEXT('same picture'));
    expect((viaDataUri.result as ImageValue).$image).toBe((viaUrl.result as ImageValue).$image);
  });

  test('cancel stops waiting at once and a late result is ignored', async () => {
    fixture = await runwareFixture();
    const before = await storedImageCount(fixture.dataDir);
    fixture.standIn.inject('imageInference', 'hold');
    let jobId = '';
    fixture.session.setNotifier((method, params) => {
      if (method === 'job.progress' && String(params.label).endsWith('sent')) {
        jobId = String(params.job_id);
        fixture!.session.cancelJob(jobId);
      }
    });
    const error = await failure(fixture.session.executeScript(TEXT('slow')));
    expect(error.code).toBe('Cancelled');
    await fixture.standIn.release();
    // A later call on the same connection completes; the late answer changed nothing.
    fixture.session.setNotifier(() => {});
    const after = await fixture.session.executeScript(TEXT('next'));
    expect(after.images).toHaveLength(1);
    expect(await storedImageCount(fixture.dataDir)).toBe(before + 1);
    expect(fixture.runtime.history.get(jobId).status).toBe('cancelled');
  });

  test('a key changed while running is used by the next connection', async () => {
    fixture = await runwareFixture({ apiKey: undefined }, { apiKeys: [TEST_KEY, OTHER_KEY] });
    await storeRunwareKey(fixture.dataDir, TEST_KEY);
    await fixture.session.executeScript(TEXT('first key'));
    await storeRunwareKey(fixture.dataDir, OTHER_KEY);
    await fixture.session.executeScript(TEXT('second key'));
    const keys = tasksOf(fixture, 'authentication').map((entry) => entry.task.apiKey);
    expect(keys).toEqual([TEST_KEY, OTHER_KEY]);
  });

  test('cloud calls never wait in the local device queue', async () => {
    fixture = await runwareFixture({}, {}, [createTestPlugin()]);
    const holder = fixture.runtime.openSession('local');
    // A local render holding the (single) device for a minute.
    const held = holder.executeScript([
      'std.call_method',
      ['get_capability', 'test'],
      'render',
      'busy',
      { width: 8, height: 8, steps: 1, delay_ms: 60_000 },
    ]);
    const outcome = held.then(
      () => 'done',
      (error: ScriptError) => error.code,
    );
    await new Promise<void>((resolve) => setImmediate(resolve));
    const [render] = holder.listJobs();
    expect(render?.status).toBe('running');
    const result = await fixture.session.executeScript(TEXT('not queued'));
    expect(result.images).toHaveLength(1);
    expect(holder.getJob(render!.job_id).status).toBe('running');
    holder.cancelJob(render!.job_id);
    expect(await outcome).toBe('Cancelled');
    holder.close();
  });

  test('cloud calls have their own concurrency limit', async () => {
    // A fast heartbeat: pings share the socket with tasks, so a ping sent after the second call
    // was queued arrives after its task would have (frames on one socket stay in order).
    fixture = await runwareFixture({ concurrency: 1, heartbeatMs: 10 });
    fixture.standIn.inject('imageInference', 'hold');
    const labels: string[] = [];
    let queuedTwice: () => void = () => {};
    const bothQueued = new Promise<void>((resolve) => {
      queuedTwice = resolve;
    });
    fixture.session.setNotifier((method, params) => {
      if (method !== 'job.progress') return;
      labels.push(String(params.label));
      if (labels.filter((label) => label.endsWith('queued')).length === 2) queuedTwice();
    });
    const first = fixture.session.executeScript(TEXT('first'));
    await fixture.standIn.waitForTask('imageInference');
    const second = fixture.session.executeScript(TEXT('second'));
    await bothQueued;
    const pings = tasksOf(fixture, 'ping').length;
    await fixture.standIn.waitForTask('ping', pings + 1);
    expect(tasksOf(fixture, 'imageInference')).toHaveLength(1);
    await fixture.standIn.release();
    const results = await Promise.all([first, second]);
    expect(results.map((r) => r.images.length)).toEqual([1, 1]);
    expect(tasksOf(fixture, 'imageInference')).toHaveLength(2);
  });
});
