import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDiffusersPlugin } from '../../plugins/diffusers/src/diffusers-plugin.ts';
import { createRefinePlugin } from '../../plugins/refine/src/refine-plugin.ts';
import { TestRpcClient } from '../server/rpc-client.ts';
import { startTestServer, type TestServer } from '../server/server-harness.ts';

/**
 * Conversations over a real server with the tiny Stable Diffusion test models: the pictures are
 * noise, but deterministic per seed, so a turn's export reproduces its `$image` exactly.
 */
interface WireImage {
  $image: string;
  width: number;
  height: number;
}
interface Turn {
  id: string;
  parent_id: string | null;
  message: string;
  prompt: string;
  negative_prompt: string;
  seed: number;
  strength: number | null;
  image: WireImage;
  script: unknown[];
  action: string;
  explanation: string;
  created: number;
}
interface Conversation {
  id: string;
  title: string;
  options: Record<string, unknown>;
  turns: Turn[];
}

const dataDir = mkdtempSync(join(tmpdir(), 'viwo-conversations-'));
const plugins = () => [createDiffusersPlugin(), createRefinePlugin({ ollama: null })];
let server: TestServer;
let client: TestRpcClient;

async function restart(): Promise<void> {
  client?.close();
  await server?.stop();
  server = await startTestServer({ dataDir, plugins: plugins() });
  client = await TestRpcClient.connect(server.wsUrl);
}

beforeAll(restart);
afterAll(async () => {
  client.close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const OPTIONS = { width: 64, height: 64, steps: 2, seed: 7 };

async function send(params: Record<string, unknown>): Promise<{ turn: Turn; job_id: string }> {
  return client.call('conversations.send', params);
}

async function errorOf(method: string, params: unknown): Promise<Record<string, unknown>> {
  const response = await client.request(method, params);
  expect(response.error).toBeDefined();
  return response.error as Record<string, unknown>;
}

describe('conversations over the real server', () => {
  let conversation: Conversation;
  let first: Turn;
  let second: Turn;

  test('create, then a first turn generates from the message with progress', async () => {
    conversation = await client.call('conversations.create', { options: OPTIONS });
    expect(conversation.options).toEqual({ capability: 'diffusers.generate', ...OPTIONS });
    expect(conversation.turns).toEqual([]);
    const sent = await send({ id: conversation.id, message: 'a blue ball on the grass' });
    first = sent.turn;
    expect(first.parent_id).toBeNull();
    expect(first.prompt).toBe('a blue ball on the grass');
    expect(first.seed).toBe(7);
    expect(first.image).toMatchObject({ width: 64, height: 64 });
    expect(first.script[2]).toBe('textToImage');
    const progress = client.messages.filter(
      (message) =>
        message.method === 'job.progress' &&
        (message.params as { job_id: string }).job_id === sent.job_id,
    );
    expect(progress.length).toBeGreaterThanOrEqual(2);
  });

  test('a later turn interprets against the parent and refines its picture with its seed', async () => {
    const sent = await send({ id: conversation.id, message: 'make the ball red' });
    second = sent.turn;
    expect(second.parent_id).toBe(first.id);
    expect(second.prompt).toBe('a red ball on the grass');
    expect(second.action).toBe('attribute');
    expect(second.explanation).toContain('red');
    expect(second.seed).toBe(first.seed);
    expect(second.strength).toBe(0.45);
    expect(second.script[2]).toBe('imageToImage');
    expect(second.script[3]).toEqual(first.image);
    expect(second.image.$image).not.toBe(first.image.$image);
  });

  test('a user-set strength (and any option) wins for that turn', async () => {
    const { turn } = await send({
      id: conversation.id,
      message: 'remove the grass',
      options: { strength: 0.3, steps: 3 },
    });
    expect(turn.strength).toBe(0.3);
    // Other generation options override the conversation's for this turn only.
    expect(turn.script[5]).toMatchObject({ steps: 3, strength: 0.3, seed: 7 });
    expect(turn.negative_prompt).toBe('grass');
    expect(turn.parent_id).toBe(second.id);
  });

  test('branching from an earlier turn forms a tree', async () => {
    const { turn } = await send({
      id: conversation.id,
      message: 'make it a watercolor',
      parent_turn_id: first.id,
    });
    expect(turn.parent_id).toBe(first.id);
    expect(turn.prompt).toBe('a blue ball on the grass, watercolor painting');
    const stored: Conversation = await client.call('conversations.get', { id: conversation.id });
    expect(stored.turns.length).toBe(4);
    expect(stored.turns.filter((entry) => entry.parent_id === first.id).length).toBe(2);
    expect(stored.title).toBe('a blue ball on the grass');
  });

  test('export reproduces a turn (default: the latest) from nothing, same $image', async () => {
    const stored: Conversation = await client.call('conversations.get', { id: conversation.id });
    for (const turn of [second, stored.turns.at(-1)!]) {
      const exported: { script: unknown[] } = await client.call('conversations.export', {
        id: conversation.id,
        ...(turn === second ? { turn_id: second.id } : {}),
      });
      expect(exported.script[0]).toBe('std.seq');
      expect(JSON.stringify(exported.script)).not.toContain(first.image.$image);
      const run: { result: WireImage } = await client.call('execute_script', {
        script: exported.script,
      });
      expect(run.result.$image).toBe(turn.image.$image);
    }
  });

  test('list searches titles, messages and prompts', async () => {
    const other: Conversation = await client.call('conversations.create', {
      title: 'Lighthouse study',
      options: OPTIONS,
    });
    const all: { id: string; turn_count: number; thumbnail: WireImage | null }[] =
      await client.call('conversations.list', {});
    expect(all.map((entry) => entry.id)).toEqual([other.id, conversation.id]);
    expect(all[1]!.turn_count).toBe(4);
    expect(all[0]!.thumbnail).toBeNull();
    const byPrompt: { id: string }[] = await client.call('conversations.list', {
      query: 'RED BALL',
    });
    expect(byPrompt.map((entry) => entry.id)).toEqual([conversation.id]);
    const byTitle: { id: string }[] = await client.call('conversations.list', {
      query: 'lighthouse',
    });
    expect(byTitle.map((entry) => entry.id)).toEqual([other.id]);
    const none: unknown[] = await client.call('conversations.list', { query: '100%_' });
    expect(none).toEqual([]);
  });

  test('conversations survive a restart and keep refining', async () => {
    await restart();
    const stored: Conversation = await client.call('conversations.get', { id: conversation.id });
    expect(stored.turns.map((turn) => turn.id)).toContain(second.id);
    const { turn } = await send({
      id: conversation.id,
      message: 'make it night',
      parent_turn_id: second.id,
    });
    expect(turn.prompt).toBe('a red ball on the grass, at night');
    expect(turn.seed).toBe(7);
  });

  test('bad input is a clear error and writes nothing', async () => {
    const before: Conversation = await client.call('conversations.get', { id: conversation.id });
    const cases: [string, unknown, RegExp][] = [
      ['conversations.send', { id: 'nope', message: 'x' }, /no conversation "nope"/],
      ['conversations.send', { id: conversation.id, message: '   ' }, /'message' is empty/],
      [
        'conversations.send',
        { id: conversation.id, message: 'x'.repeat(3000) },
        /'message' is 3000 characters/,
      ],
      [
        'conversations.send',
        { id: conversation.id, message: 'sing me a song' },
        /did not understand "sing me a song".*make the ball red/,
      ],
      [
        'conversations.send',
        { id: conversation.id, message: 'make the dog red' },
        /"dog" is not in the prompt/,
      ],
      [
        'conversations.send',
        { id: conversation.id, message: 'more fog', parent_turn_id: 'gone' },
        /turn "gone" is not in conversation/,
      ],
      [
        'conversations.send',
        { id: conversation.id, message: 'more fog', options: { strength: 3 } },
        /'options.strength' must be a number from 0.01 to 1/,
      ],
      [
        'conversations.send',
        { id: conversation.id, message: 'more fog', options: { sterngth: 0.5 } },
        /'options.sterngth' is not an option/,
      ],
      ['conversations.create', { options: { capability: 'upscale' } }, /options.capability/],
      ['conversations.create', { options: { width: 10 } }, /'options.width' must be an integer/],
      ['conversations.get', { id: 'nope' }, /no conversation/],
      ['conversations.get', {}, /'id' must be a non-empty string/],
      ['conversations.export', { id: conversation.id, turn_id: 'gone' }, /turn "gone"/],
      ['conversations.delete', { id: 'nope' }, /no conversation/],
    ];
    for (const [method, params, pattern] of cases) {
      const error = await errorOf(method, params);
      expect(String(error.message)).toMatch(pattern);
    }
    const after: Conversation = await client.call('conversations.get', { id: conversation.id });
    expect(after.turns.length).toBe(before.turns.length);
    // The server is still answering.
    expect((await client.call<unknown[]>('conversations.list', {})).length).toBe(2);
  });

  test('gc keeps every turn picture even when its history entries are gone', async () => {
    const { runtime } = server;
    for (const entry of runtime.history.list({ limit: 1000 })) runtime.history.delete(entry.id);
    await runtime.gc();
    const stored: Conversation = await client.call('conversations.get', { id: conversation.id });
    for (const turn of stored.turns) expect(await runtime.images.has(turn.image.$image)).toBe(true);
  });

  test('a generation that fails writes no turn; an unavailable capability is refused', async () => {
    const broken: Conversation = await client.call('conversations.create', {
      options: { ...OPTIONS, model_id: 'no-such-model' },
    });
    const error = await errorOf('conversations.send', { id: broken.id, message: 'a red ball' });
    expect(String(error.message)).toContain('no-such-model');
    const stored: Conversation = await client.call('conversations.get', { id: broken.id });
    expect(stored.turns).toEqual([]);
    expect(stored.title).toBe('');
    await client.call('conversations.delete', { id: broken.id });
    const refused = await errorOf('conversations.create', { options: { capability: 'runware' } });
    expect(String(refused.message)).toContain('runware is not available on this server');
  });

  test('delete removes the conversation; its turns can no longer be refined', async () => {
    expect(await client.call('conversations.delete', { id: conversation.id })).toEqual({
      ok: true,
    });
    const error = await errorOf('conversations.send', {
      id: conversation.id,
      message: 'more fog',
      parent_turn_id: second.id,
    });
    expect(String(error.message)).toContain('no conversation');
    const all: { id: string }[] = await client.call('conversations.list', {});
    expect(all.map((entry) => entry.id)).not.toContain(conversation.id);
  });
});
