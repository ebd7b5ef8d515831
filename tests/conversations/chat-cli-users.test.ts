import { afterAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestRpcClient } from '../server/rpc-client.ts';
import { startTestServer } from '../server/server-harness.ts';

/**
 * `viwo chat --user NAME` as spawned processes on one data dir with real users (added through
 * `viwo users add`), then a real server on the same data dir after the CLIs exit: what the REPL
 * created as alice is alice's in the browser, and bob neither sees nor resumes it.
 */
const work = mkdtempSync(join(tmpdir(), 'viwo-chat-users-'));
const dataDir = join(work, 'data');
const cli = join(import.meta.dir, '../../apps/server/src/cli.ts');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function viwo(args: string[], stdin?: string) {
  const result = Bun.spawnSync([process.execPath, cli, ...args], {
    env: { ...process.env, VIWO_DATA: dataDir, VIWO_OLLAMA_URL: '' },
    stdin: stdin === undefined ? 'ignore' : new TextEncoder().encode(stdin),
  });
  return {
    code: result.exitCode,
    stdout: result.stdout.toString(),
    stderr: result.stderr.toString(),
  };
}

const SMALL = ['--steps', '2', '--width', '64', '--height', '64', '--seed', '5'];
const tokens: Record<string, string> = {};
const ids = { legacy: '', alice: '', bob: '' };
const aliceImages: string[] = [];

function conversationIdOf(stdout: string): string {
  const match = /^conversation (\S+)$/m.exec(stdout);
  expect(match).not.toBeNull();
  return match![1]!;
}

function addUser(name: string, ...flags: string[]): void {
  const added = viwo(['users', 'add', name, ...flags]);
  expect(added.code).toBe(0);
  tokens[name] = added.stdout.trim().split('\n').at(-1)!;
}

describe('viwo chat on a data dir without users', () => {
  test('--user is refused (no such user), naming the flag, and creates nothing', () => {
    const result = viwo(['chat', '--user', 'alice', ...SMALL], 'a blue ball\n');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--user alice: this data dir has no users');
    expect(result.stdout).toBe('');
    expect(existsSync(join(dataDir, 'viwo.db'))).toBe(false);
  });

  test('without --user it chats as before users existed (an unowned conversation)', () => {
    const result = viwo(['chat', ...SMALL], 'a green hill\n');
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    ids.legacy = conversationIdOf(result.stdout);
  });
});

describe('viwo chat --user on a data dir with users', () => {
  test('users are added; without --user the REPL refuses, saying to pass --user NAME', () => {
    addUser('alice');
    addUser('bob');
    addUser('root', '--admin');
    addUser('capped', '--max-compute-per-job', '0.001');
    const result = viwo(['chat', ...SMALL], 'a blue ball\n');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('this data dir has users: pass --user NAME');
    expect(result.stderr).toContain('alice, bob, capped, root');
    expect(result.stdout).toBe('');
  });

  test('an unknown user, or --user without a name, is a flag error (exit 2)', () => {
    const unknown = viwo(['chat', '--user', 'carol'], 'a blue ball\n');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--user carol: no such user');
    expect(unknown.stdout).toBe('');
    const bare = viwo(['chat', '--user']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('--user needs a value');
    const empty = viwo(['chat', '--user', '']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--user needs a user name');
  });

  test('as alice: a conversation is created, refined and resumed', () => {
    const first = viwo(['chat', '--user', 'alice', ...SMALL], 'a blue ball\nmake the ball red\n');
    expect(first.stderr).not.toContain('error');
    expect(first.code).toBe(0);
    ids.alice = conversationIdOf(first.stdout);
    expect(first.stdout).toContain('prompt: a red ball');
    aliceImages.push(...[...first.stdout.matchAll(/image: ([0-9a-f]{64})/g)].map((m) => m[1]!));
    expect(aliceImages).toHaveLength(2);
    const resumed = viwo(['chat', '--user', 'alice', '--conversation', ids.alice], '/history\n');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('(2 turns)');
  });

  test("bob's --conversation of alice's conversation answers exactly like a missing one", () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const others = viwo(['chat', '--user', 'bob', '--conversation', ids.alice], 'make it night\n');
    const absent = viwo(['chat', '--user', 'bob', '--conversation', missing], 'make it night\n');
    expect(others.code).toBe(1);
    expect(absent.code).toBe(1);
    expect(others.stderr).toContain(`no conversation "${ids.alice}"`);
    expect(others.stderr.replaceAll(ids.alice, 'ID')).toBe(absent.stderr.replaceAll(missing, 'ID'));
    expect(others.stdout).toBe(absent.stdout);
    // A conversation from before users existed is no user's: only admins see it.
    const legacy = viwo(['chat', '--user', 'alice', '--conversation', ids.legacy], '');
    expect(legacy.code).toBe(1);
    expect(legacy.stderr).toContain(`no conversation "${ids.legacy}"`);
  });

  test("bob's own conversation; an admin resumes anyone's", () => {
    const bob = viwo(['chat', '--user', 'bob', ...SMALL], 'a red fox in the snow\n');
    expect(bob.code).toBe(0);
    ids.bob = conversationIdOf(bob.stdout);
    for (const id of [ids.alice, ids.legacy]) {
      const root = viwo(['chat', '--user', 'root', '--conversation', id], '/history\n');
      expect(root.code).toBe(0);
      expect(root.stdout).toContain('resumed');
    }
  });

  test("the user's quota applies: over it, the turn is refused and nothing is written", () => {
    const result = viwo(['chat', '--user', 'capped', ...SMALL], 'a blue ball\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("over capped's quota of 0.001 per job");
    // The failed first turn leaves no empty conversation (capped lists none over the server).
    expect(result.stdout).not.toContain('conversation ');
    // Alice's spend today was charged to her (the ledger of the signed-in user, not the operator).
    const alice = viwo(['users', 'list'])
      .stdout.split('\n')
      .find((l) => l.startsWith('alice'));
    expect(Number(/today (\S+)/.exec(alice ?? '')?.[1])).toBeGreaterThan(0);
  });
});

describe('the same data dir served over a real WebSocket after the CLIs exit', () => {
  test("conversations.list shows alice's REPL conversation to alice, not to bob; root sees all", async () => {
    const server = await startTestServer({ dataDir });
    const connect = (name: string) =>
      TestRpcClient.connect(`${server.wsUrl}?token=${encodeURIComponent(tokens[name]!)}`);
    const [alice, bob, root, capped] = await Promise.all(
      ['alice', 'bob', 'root', 'capped'].map(connect),
    );
    try {
      const listed = async (client: TestRpcClient) =>
        (await client.call<{ id: string }[]>('conversations.list', {})).map((c) => c.id);
      expect(await listed(alice!)).toEqual([ids.alice]);
      expect(await listed(bob!)).toEqual([ids.bob]);
      expect(await listed(capped!)).toEqual([]);
      expect((await listed(root!)).sort()).toEqual([ids.alice, ids.bob, ids.legacy].sort());
      const own = await alice!.call<{ turns: { image: { $image: string } }[] }>(
        'conversations.get',
        { id: ids.alice },
      );
      expect(own.turns.map((turn) => turn.image.$image)).toEqual(aliceImages);
      const refused = await bob!.request('conversations.get', { id: ids.alice });
      expect(JSON.stringify(refused.error)).toContain(ids.alice);
      // The REPL's jobs are in alice's history, not bob's.
      const history = async (client: TestRpcClient) =>
        JSON.stringify(await client.call('history.list', {}));
      for (const hash of aliceImages) {
        expect(await history(alice!)).toContain(hash);
        expect(await history(bob!)).not.toContain(hash);
      }
    } finally {
      for (const client of [alice, bob, root, capped]) client?.close();
      await server.stop();
    }
  });
});
