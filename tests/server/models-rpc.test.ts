import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createDiffusersPlugin } from '@viwo/plugin-diffusers';
import { type HubStandIn, startHubStandIn } from '../support/hub-stand-in.ts';
import { TestRpcClient } from './rpc-client.ts';
import { startTestServer, type TestServer } from './server-harness.ts';

let hub: HubStandIn;
let harness: TestServer;
let client: TestRpcClient;
const previousEndpoint = process.env.HF_ENDPOINT;

beforeAll(async () => {
  hub = startHubStandIn({ seed: 5 });
  process.env.HF_ENDPOINT = hub.url;
  harness = await startTestServer({ plugins: [createDiffusersPlugin()] });
  client = await TestRpcClient.connect(harness.wsUrl);
});
afterAll(async () => {
  client.close();
  await harness.stop();
  hub.stop();
  if (previousEndpoint === undefined) delete process.env.HF_ENDPOINT;
  else process.env.HF_ENDPOINT = previousEndpoint;
});

interface Entry {
  id: string;
  family: string;
  kind: string;
  bytes: number;
  default: boolean;
  purposes: string[];
  source: string | null;
  defaults: { steps: number; guidance_scale: number; scheduler: string };
}

describe('models.list / models.pull / models.delete over RPC', () => {
  test('list shows the installed tiny models as test models with their size on disk', async () => {
    const models = await client.call<Entry[]>('models.list');
    expect(models.length).toBeGreaterThan(0);
    for (const model of models) {
      expect(model.kind).toBe('test');
      expect(model.bytes).toBeGreaterThan(1000);
      expect(typeof model.family).toBe('string');
    }
    expect(models.filter((model) => model.default)).toHaveLength(1);
    // Each model says what a call without options uses, and what it is for.
    const byId = new Map(models.map((model) => [model.id, model]));
    expect(byId.get('tiny-sd-turbo')?.defaults).toEqual({
      steps: 1,
      guidance_scale: 0,
      scheduler: 'euler_a',
    });
    expect(byId.get('tiny-sd15')?.defaults.steps).toBe(12);
    expect(byId.get('tiny-sd15')?.purposes).toEqual(['txt2img']);
    expect(byId.get('tiny-sd15-controlnet')?.purposes).toEqual(['controlnet']);
  });

  test('pull is a job with progress; the pulled model becomes the real default; delete removes it', async () => {
    const answer = await client.call<{ job_id: string; result: Entry }>('models.pull', {
      repo: 'acme/tiny-real',
    });
    // (Bun's toMatchObject writes asymmetric matchers into the received object: compare fields.)
    expect(typeof answer.result.id).toBe('string');
    expect([answer.result.kind, answer.result.default]).toEqual(['real', true]);
    expect(answer.result.source).toContain('acme/tiny-real');
    const progress = client.messages.filter(
      (message) =>
        message.method === 'job.progress' &&
        (message.params as { job_id: string }).job_id === answer.job_id,
    );
    expect(progress.length).toBeGreaterThanOrEqual(Object.keys(hub.files).length);
    const listed = await client.call<Entry[]>('models.list');
    expect(listed.find((model) => model.id === answer.result.id)?.default).toBe(true);
    expect(await client.call('models.delete', { id: answer.result.id })).toEqual({ ok: true });
    const after = await client.call<Entry[]>('models.list');
    expect(after.some((model) => model.id === answer.result.id)).toBe(false);
    expect(after.filter((model) => model.default)).toHaveLength(1);
  });

  test('bad input gets clear errors and the server keeps answering', async () => {
    const unknown = await client.request('models.delete', { id: 'no-such-model' });
    expect(JSON.stringify(unknown.error)).toContain('no-such-model');
    const badRepo = await client.request('models.pull', { repo: '../../etc' });
    expect(JSON.stringify(badRepo.error)).toContain('owner/name');
    const missing = await client.request('models.pull', { repo: 'acme/absent' });
    expect(missing.error).toBeDefined();
    const noParams = await client.request('models.pull', {});
    expect((noParams.error as { code: number }).code).toBe(-32602);
    expect((await fetch(`http://127.0.0.1:${harness.server.port}/health`)).status).toBe(200);
  });
});
