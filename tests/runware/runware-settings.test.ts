import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, type Runtime } from '@viwo/core';
import { defaultRpcLimits } from '@viwo/core/rpc';
import { ScriptError } from '@viwo/script';
import {
  runwareSettingsMethods,
  type ServerRpcContext,
} from '../../apps/server/src/runware-settings.ts';

const KEY = 'rw-cli-secret-0123456789';
const work = mkdtempSync(join(tmpdir(), 'viwo-runware-settings-'));
const cli = join(import.meta.dir, '../../apps/server/src/cli.ts');
let runtime: Runtime;

beforeAll(async () => {
  runtime = await createRuntime({ dataDir: join(work, 'data'), plugins: [] });
});

afterAll(async () => {
  await runtime.dispose();
  rmSync(work, { recursive: true, force: true });
});

function viwo(args: string[], stdin?: string) {
  const env: Record<string, string | undefined> = { ...process.env, VIWO_DATA: join(work, 'data') };
  delete env.RUNWARE_API_KEY;
  const result = Bun.spawnSync([process.execPath, cli, ...args], {
    env,
    stdin: stdin === undefined ? 'ignore' : new TextEncoder().encode(stdin),
  });
  return {
    code: result.exitCode,
    stdout: result.stdout.toString(),
    stderr: result.stderr.toString(),
  };
}

describe('runware key settings', () => {
  test('a session that is neither loopback nor admin may not set the key', async () => {
    const methods = runwareSettingsMethods();
    const session = runtime.openSession({ id: 'remote-user', local: false });
    const context: ServerRpcContext = {
      runtime,
      session,
      limits: defaultRpcLimits,
      runningJobs: 0,
      owner: false,
    };
    const view = await methods['settings.runware.get']!({}, context);
    expect(view).toMatchObject({ can_set_key: false });
    let denied: unknown;
    try {
      await methods['settings.runware.set_key']!({ api_key: KEY }, context);
    } catch (error) {
      denied = error;
    }
    expect(denied).toBeInstanceOf(ScriptError);
    expect((denied as ScriptError).code).toBe('CapabilityDenied');
    session.close();
  });

  test('with users, only an admin may set the key, even from loopback', async () => {
    const methods = runwareSettingsMethods();
    const contextFor = (admin: boolean): ServerRpcContext => ({
      runtime,
      session: runtime.openSession({
        id: `user-${admin}`,
        user: { id: `u${admin}`, name: 'u', admin },
      }),
      limits: defaultRpcLimits,
      runningJobs: 0,
      owner: true,
    });
    const plain = contextFor(false);
    expect(await methods['settings.runware.get']!({}, plain)).toMatchObject({ can_set_key: false });
    const admin = contextFor(true);
    expect(await methods['settings.runware.set_key']!({ api_key: KEY }, admin)).toMatchObject({
      configured: true,
      source: 'config',
    });
    await methods['settings.runware.set_key']!({ api_key: '' }, admin);
    plain.session.close();
    admin.session.close();
  });

  test('`viwo config set runware.api_key` writes an owner-only file; `get` never prints it', () => {
    const set = viwo(['config', 'set', 'runware.api_key', KEY]);
    expect(set.code).toBe(0);
    expect(set.stdout).not.toContain(KEY);
    const file = join(work, 'data', 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))['runware.api_key']).toBe(KEY);
    const get = viwo(['config', 'get', 'runware.api_key']);
    expect(get.stdout).toBe('runware.api_key is set (from config)\n');
    expect(viwo(['config', 'set', 'runware.api_key', '-'], `${KEY}-2\n`).code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))['runware.api_key']).toBe(`${KEY}-2`);
    const unknown = viwo(['config', 'set', 'runware.apikey', KEY]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown config key');
    expect(unknown.stderr).not.toContain(KEY);
    expect(viwo(['config', 'unset', 'runware.api_key']).code).toBe(0);
    expect(viwo(['config', 'get', 'runware.api_key']).stdout).toBe('runware.api_key is not set\n');
  });
});
