import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvasPlugin, type ImageValue } from '@viwo/core';
import { createDiffusersPlugin } from '@viwo/plugin-diffusers';
import { TestRpcClient } from '../server/rpc-client.ts';
import { startTestServer, type TestServer } from '../server/server-harness.ts';

/**
 * The outputs folder over a real server and WebSocket with the tiny Stable Diffusion models:
 * `settings.outputs.*`, its refusals, the files a finished job leaves in the folder, and a write
 * failure that must not touch the job.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'viwo-outputs-data-'));
const scratch = mkdtempSync(join(tmpdir(), 'viwo-outputs-'));
const plugins = () => [createDiffusersPlugin(), createCanvasPlugin()];
let server: TestServer;
let client: TestRpcClient;
/** What the server wrote to stderr (the outputs writer logs failures there). */
const serverLog: string[] = [];
const consoleError = console.error;

async function restart(): Promise<void> {
  client?.close();
  await server?.stop();
  server = await startTestServer({ dataDir, plugins: plugins() });
  client = await TestRpcClient.connect(server.wsUrl);
}

beforeAll(async () => {
  console.error = (...parts: unknown[]) => {
    serverLog.push(parts.map(String).join(' '));
  };
  await restart();
}, 120_000);
afterAll(async () => {
  console.error = consoleError;
  client.close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

const textToImage = (options: Record<string, unknown>) => [
  'std.call_method',
  ['get_capability', 'diffusers.generate'],
  'textToImage',
  'a lighthouse',
  { width: 64, height: 64, steps: 2, ...options },
];

/** Runs a script and waits for the outputs writer's own log line for that job. */
async function runAndWaitForOutputs(rpc: TestRpcClient, script: unknown) {
  const reply = await rpc.call<{ job_id: string; images: ImageValue[] }>('execute_script', {
    script,
  });
  const note = await rpc.waitFor((message) => {
    const params = message.params as { job_id?: string; message?: string } | undefined;
    return (
      message.method === 'job.log' &&
      params?.job_id === reply.job_id &&
      /outputs folder/.test(params.message ?? '')
    );
  }, 60_000);
  return { reply, note: note.params as { level: string; message: string } };
}

const pad = (value: number) => String(value).padStart(2, '0');
const localDate = (time: Date) =>
  `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}`;
/** Every local `HHMMSS` from `from` to `to` (the job's end lies between them). */
function secondsBetween(from: number, to: number): Set<string> {
  const seconds = new Set<string>();
  for (let t = Math.floor(from / 1000) * 1000; t <= to; t += 1000) {
    const time = new Date(t);
    seconds.add(`${pad(time.getHours())}${pad(time.getMinutes())}${pad(time.getSeconds())}`);
  }
  return seconds;
}

/** Asserts an RPC error that names `folder` and returns it. */
async function refused(rpc: TestRpcClient, params: unknown) {
  const answer = await rpc.request('settings.outputs.set', params);
  const error = answer.error as { code: number; message: string } | undefined;
  expect(error).toBeDefined();
  expect(error!.message).toContain('folder');
  return error!;
}

describe('settings.outputs over the real server', () => {
  test('get/set round trip, stored in config.json, kept across a restart; null turns it off', async () => {
    expect(await client.call('settings.outputs.get')).toEqual({ folder: null });
    const folder = join(scratch, 'round-trip', 'nested');
    expect(await client.call('settings.outputs.set', { folder })).toEqual({ folder });
    expect(existsSync(folder)).toBe(true);
    const config = JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8'));
    expect(config['outputs.folder']).toBe(folder);
    await restart();
    expect(await client.call('settings.outputs.get')).toEqual({ folder });
    expect(await client.call('settings.outputs.set', { folder: null })).toEqual({ folder: null });
    expect(await client.call('settings.outputs.get')).toEqual({ folder: null });
  }, 120_000);

  test('refuses a relative path, the data dir, a file, a wrong type and __proto__, naming folder', async () => {
    expect((await refused(client, { folder: 'outputs' })).message).toContain('absolute path');
    expect((await refused(client, { folder: join(dataDir, 'images') })).message).toContain(
      'data directory',
    );
    expect((await refused(client, { folder: dataDir })).code).toBe(-32602);
    const file = join(scratch, 'a-file');
    writeFileSync(file, 'not a folder');
    expect((await refused(client, { folder: file })).code).toBe(-32602);
    expect((await refused(client, { folder: join(file, 'below') })).code).toBe(-32602);
    // A symlink that leads into the data directory counts as inside it.
    const link = join(scratch, 'link-to-data');
    symlinkSync(dataDir, link);
    expect((await refused(client, { folder: join(link, 'sub') })).message).toContain(
      'data directory',
    );
    expect(existsSync(join(dataDir, 'sub'))).toBe(false);
    expect((await refused(client, { folder: 42 })).message).toContain('got number');
    expect((await refused(client, {})).code).toBe(-32602);
    expect((await refused(client, { folder: '/tmp/a\u0000b' })).code).toBe(-32602);
    // An oversized path is refused by its length, without echoing it back.
    const huge = await refused(client, { folder: `/${'x'.repeat(100_000)}` });
    expect(huge.message).toContain('at most 4096 characters, got 100001');
    expect(huge.message.length).toBeLessThan(200);
    // A hostile key arrives as raw JSON text (an object literal would set the prototype instead).
    client.send(
      '{"jsonrpc":"2.0","id":"proto","method":"settings.outputs.set","params":{"__proto__":{"folder":"/tmp"}}}',
    );
    const proto = await client.waitFor((message) => message.id === 'proto');
    expect((proto.error as { message: string }).message).toContain('folder');
    expect(Object.hasOwn(Object.prototype, 'folder')).toBe(false);
    // Nothing was stored, and the server still answers.
    expect(await client.call('settings.outputs.get')).toEqual({ folder: null });
  });

  test('a finished generation writes <date>/<HHMMSS>-<seed>-<hash8>.png with the stored bytes', async () => {
    const folder = join(scratch, 'results');
    await client.call('settings.outputs.set', { folder });
    const before = Date.now();
    const { reply, note } = await runAndWaitForOutputs(
      client,
      textToImage({ seed: 7, batch_size: 2 }),
    );
    const after = Date.now();
    expect(note.level).toBe('info');
    expect(reply.images).toHaveLength(2);
    const dates = new Set([localDate(new Date(before)), localDate(new Date(after))]);
    const dayFolders = readdirSync(folder);
    expect(dayFolders).toHaveLength(1);
    expect(dates.has(dayFolders[0]!)).toBe(true);
    const files = readdirSync(join(folder, dayFolders[0]!)).sort();
    const seconds = secondsBetween(before, after);
    const seeds = [7, 8];
    expect(files).toHaveLength(2);
    for (const [index, image] of reply.images.entries()) {
      const pattern = new RegExp(`^(\\d{6})-${seeds[index]}-${image.$image.slice(0, 8)}\\.png$`);
      const name = files.find((file) => pattern.test(file));
      expect(name).toBeDefined();
      expect(seconds.has(pattern.exec(name!)![1]!)).toBe(true);
      const written = readFileSync(join(folder, dayFolders[0]!, name!));
      const stored = new Uint8Array(
        await (await fetch(`${server.server.url}/images/${image.$image}.png`)).arrayBuffer(),
      );
      expect(new Uint8Array(written)).toEqual(stored);
      // The workflow chunk came along: the file re-imports.
      expect(written.includes(Buffer.from('tEXtviwo'))).toBe(true);
      expect(note.message).toContain(name!);
    }
  }, 60_000);

  test('an image no seeded call made is named noseed; a failed job writes nothing', async () => {
    const folder = join(scratch, 'canvas');
    await client.call('settings.outputs.set', { folder });
    const { reply } = await runAndWaitForOutputs(client, [
      'std.seq',
      ['canvas.init', 64, 64, '#336699'],
      ['canvas.composite'],
    ]);
    const [day] = readdirSync(folder);
    const files = readdirSync(join(folder, day!));
    expect(files).toEqual([
      expect.stringMatching(
        new RegExp(`^\\d{6}-noseed-${reply.images[0]!.$image.slice(0, 8)}\\.png$`),
      ),
    ]);
    const failed = await client.request('execute_script', {
      script: ['std.seq', textToImage({ seed: 3 }), ['+', 1, 'not a number']],
    });
    expect(failed.error).toBeDefined();
    // A later job's own note comes after the failed job's end was handled: only its file is new.
    const next = await runAndWaitForOutputs(client, [
      'std.seq',
      ['canvas.init', 64, 64, '#996633'],
      ['canvas.composite'],
    ]);
    const later = readdirSync(join(folder, day!)).filter((file) => !files.includes(file));
    expect(later).toEqual([
      expect.stringContaining(`-noseed-${next.reply.images[0]!.$image.slice(0, 8)}`),
    ]);
  }, 60_000);

  test('a write failure leaves the job done, says so in its logs and the server runs on', async () => {
    const folder = join(scratch, 'vanishing');
    await client.call('settings.outputs.set', { folder });
    // After set, the folder is replaced by a file: every write below it fails (even for root).
    rmSync(folder, { recursive: true });
    writeFileSync(folder, 'in the way');
    const logged = serverLog.length;
    const { reply, note } = await runAndWaitForOutputs(client, textToImage({ seed: 11 }));
    expect(reply.images).toHaveLength(1);
    expect(note.level).toBe('warn');
    expect(note.message).toContain('could not save 1 of 1');
    const lines = serverLog.slice(logged).filter((line) => line.includes('[outputs]'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(reply.job_id);
    const job = await client.call<{ status: string }>('job.get', { job_id: reply.job_id });
    expect(job.status).toBe('done');
    const entry = await client.call<{ logs: { level: string; message: string }[] }>('history.get', {
      id: reply.job_id,
    });
    expect(entry.logs.some((log) => log.message.includes('could not save'))).toBe(true);
    expect((await fetch(`${server.server.url}/health`)).ok).toBe(true);
    expect(await client.call('settings.outputs.get')).toEqual({ folder });
    await client.call('settings.outputs.set', { folder: null });
  }, 60_000);

  test('with users: only an admin may set it; a user’s results go under their name', async () => {
    const alice = server.runtime.users.add('Alice.B').token;
    const root = server.runtime.users.add('root', { admin: true }).token;
    const asAlice = await TestRpcClient.connect(`${server.wsUrl}?token=${alice}`);
    const asRoot = await TestRpcClient.connect(`${server.wsUrl}?token=${root}`);
    const folder = join(scratch, 'per-user');
    const denied = await refused(asAlice, { folder });
    expect(denied.message).toContain('admin');
    expect(existsSync(folder)).toBe(false);
    expect(await asRoot.call('settings.outputs.set', { folder })).toEqual({ folder });
    expect(await asAlice.call('settings.outputs.get')).toEqual({ folder });
    const { reply } = await runAndWaitForOutputs(asAlice, textToImage({ seed: 5 }));
    expect(readdirSync(folder)).toEqual(['alice_b']);
    const [day] = readdirSync(join(folder, 'alice_b'));
    expect(readdirSync(join(folder, 'alice_b', day!))).toEqual([
      expect.stringMatching(new RegExp(`^\\d{6}-5-${reply.images[0]!.$image.slice(0, 8)}\\.png$`)),
    ]);
    asAlice.close();
    asRoot.close();
  }, 60_000);
});

describe('viwo config outputs.folder', () => {
  const cli = join(import.meta.dir, '../../apps/server/src/cli.ts');
  const viwo = (args: string[], data: string) => {
    const child = Bun.spawnSync([process.execPath, cli, 'config', ...args], {
      env: { ...process.env, VIWO_DATA: data },
    });
    return {
      code: child.exitCode,
      stdout: child.stdout.toString(),
      stderr: child.stderr.toString(),
    };
  };

  test('set checks the folder like the RPC, get prints it, unset turns it off', () => {
    const data = join(scratch, 'cli-data');
    const relative = viwo(['set', 'outputs.folder', 'out'], data);
    expect(relative.code).toBe(1);
    expect(relative.stderr).toContain('outputs.folder must be an absolute path');
    expect(viwo(['set', 'outputs.folder', join(data, 'out')], data).stderr).toContain(
      'data directory',
    );
    const folder = join(scratch, 'cli-out');
    expect(viwo(['set', 'outputs.folder', folder], data).code).toBe(0);
    expect(existsSync(folder)).toBe(true);
    expect(viwo(['get', 'outputs.folder'], data).stdout).toBe(`${folder}\n`);
    expect(viwo(['unset', 'outputs.folder'], data).code).toBe(0);
    expect(viwo(['get', 'outputs.folder'], data).stdout).toBe('outputs.folder is not set\n');
  }, 30_000);
});
