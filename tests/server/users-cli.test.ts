import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashToken } from '@viwo/core';

const work = mkdtempSync(join(tmpdir(), 'viwo-users-cli-'));
const cli = join(import.meta.dir, '../../apps/server/src/cli.ts');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function viwo(dataDir: string, args: string[]) {
  const result = Bun.spawnSync([process.execPath, cli, ...args], {
    env: { ...process.env, VIWO_DATA: dataDir },
  });
  const stdout = result.stdout.toString();
  return {
    code: result.exitCode,
    stdout,
    stderr: result.stderr.toString(),
    lastLine: stdout.trimEnd().split('\n').at(-1) ?? '',
  };
}

describe('viwo users', () => {
  const data = join(work, 'data');

  test('add prints the token alone on the last line; only its hash is stored', () => {
    const added = viwo(data, ['users', 'add', 'alice', '--admin']);
    expect(added.code).toBe(0);
    expect(added.lastLine).toMatch(/^viwo_[A-Za-z0-9_-]{43}$/);
    const database = readFileSync(join(data, 'viwo.db')).toString('latin1');
    expect(database).not.toContain(added.lastLine);
    expect(database).toContain(hashToken(added.lastLine));

    const bob = viwo(data, ['users', 'add', 'bob', '--max-compute-per-day', '5']);
    expect(bob.code).toBe(0);
    expect(bob.lastLine).not.toBe(added.lastLine);
    const duplicate = viwo(data, ['users', 'add', 'bob']);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('already exists');
    const badName = viwo(data, ['users', 'add', 'no spaces']);
    expect(badName.code).toBe(1);
    expect(badName.stderr).toContain('user name');
  });

  test('list shows names, roles and quotas, never tokens', () => {
    const listed = viwo(data, ['users', 'list']);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^alice\s+admin\s+per-job unlimited\s+per-day unlimited/);
    expect(lines[1]).toMatch(/^bob\s+user\s+per-job unlimited\s+per-day 5\b/);
    expect(listed.stdout).not.toContain('viwo_');
  });

  test('token rotates: a new token on the last line, different from the old', () => {
    const first = viwo(data, ['users', 'token', 'bob']);
    const second = viwo(data, ['users', 'token', 'bob']);
    expect(first.code).toBe(0);
    expect(first.lastLine).toMatch(/^viwo_/);
    expect(second.lastLine).not.toBe(first.lastLine);
    const missing = viwo(data, ['users', 'token', 'nobody']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nobody does not exist');
  });

  test('remove deletes the user; removing twice fails; bad usage exits 2', () => {
    expect(viwo(data, ['users', 'remove', 'bob']).code).toBe(0);
    expect(viwo(data, ['users', 'remove', 'bob']).code).toBe(1);
    expect(viwo(data, ['users', 'list']).stdout).not.toContain('bob');
    expect(viwo(data, ['users', 'add']).code).toBe(2);
    expect(viwo(data, ['users', 'add', 'x', '--max-compute-per-job', 'lots']).code).toBe(2);
    expect(viwo(data, ['users', 'frobnicate', 'x']).code).toBe(2);
  });
});

test('a user added while `viwo serve` runs makes that server demand a token at once', async () => {
  const data = join(work, 'serve-data');
  const child = Bun.spawn([process.execPath, cli, 'serve', '--port', '0'], {
    env: { ...process.env, VIWO_DATA: data },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  try {
    const reader = child.stdout.getReader();
    let banner = '';
    while (!/listening on (http:\/\/\S+)/.test(banner)) {
      const { value, done } = await reader.read();
      if (done) break;
      banner += new TextDecoder().decode(value);
    }
    const url = /listening on (http:\/\/\S+)/.exec(banner)![1]!;
    expect(await (await fetch(new URL('/whoami', url))).json()).toEqual({
      user: null,
      users: false,
    });
    const token = viwo(data, ['users', 'add', 'carol']).lastLine;
    expect((await fetch(new URL('/whoami', url))).status).toBe(401);
    const signedIn = await fetch(new URL('/whoami', url), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await signedIn.json()).toMatchObject({
      user: { name: 'carol', admin: false },
      users: true,
    });
  } finally {
    child.kill('SIGTERM');
    await child.exited;
  }
}, 60_000);
