#!/usr/bin/env bun
import { mkdir, writeFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { createRuntime, type Runtime, type RuntimeOptions } from '@viwo/core';
import { parseText, ScriptError } from '@viwo/script';
import { chatPrincipal, resolveChatIdentity } from './chat-user.ts';
import { gcCommand } from './gc-command.ts';
import { loadPlugins } from './plugins.ts';
import { attachQueueMode, openQueueMode, providerLines } from './queue-mode.ts';
import { startServer } from './server.ts';
import { limitSettingsFromEnv } from './server-settings.ts';
import { USERS_USAGE, usersCommand } from './users-command.ts';

const USAGE = `usage:
  viwo serve [--port 8080] [--host 127.0.0.1] [--token T] [--allow-origin URL] [--queue redis://HOST:PORT]
  viwo worker --queue redis://HOST:PORT --server http://HOST:PORT [--token T] [--capabilities diffusers,upscale] [--concurrency 1]
  viwo setup gpu
  viwo run FILE|- [--gas N] [--out DIR] [--no-cache]
  viwo chat [--user NAME] [--conversation ID] [--capability diffusers.generate|runware] [--model ID]
            [--steps N] [--width N] [--height N] [--guidance X] [--seed N]
  viwo models list | pull <hub-repo-id> | convert [MODEL...] [--factor N]
  viwo config set|unset|get runware.api_key [KEY|-]
  viwo gc [--grace-minutes 60]
${USERS_USAGE.replace('usage:\n', '')}`;

/** Parses `--flag value` pairs and positionals. */
function parseFlags(args: string[]): { flags: Map<string, string>; positional: string[] } {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg.startsWith('--')) {
      const value = args[index + 1];
      if (value === undefined || value.startsWith('--')) fail(`${arg} needs a value`);
      flags.set(arg.slice(2), value);
      index++;
    } else positional.push(arg);
  }
  return { flags, positional };
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function dataDir(): string {
  return resolve(process.env.VIWO_DATA ?? './data');
}

function integerFlag(
  flags: Map<string, string>,
  name: string,
  fallback?: number,
): number | undefined {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) fail(`--${name} must be a whole number, got ${raw}`);
  return value;
}

async function openRuntime(extra: Partial<RuntimeOptions> = {}): Promise<Runtime> {
  return createRuntime({
    dataDir: dataDir(),
    plugins: await loadPlugins(),
    ...limitSettingsFromEnv().runtime,
    ...extra,
  });
}

async function serve(args: string[]): Promise<void> {
  const { flags } = parseFlags(args);
  const queue = await openQueueMode(
    flags.get('queue') ?? process.env.VIWO_QUEUE,
    dataDir(),
    (line) => console.error(line),
  ).catch((error: Error) => fail(error.message));
  const runtime = await openRuntime(queue ? { remoteCalls: queue } : {});
  for (const plugin of runtime.health().plugins) {
    if (plugin.status !== 'ok')
      process.stderr.write(`plugin ${plugin.name} failed: ${plugin.error}\n`);
  }
  for (const line of providerLines(runtime)) console.log(line);
  if (queue) await attachQueueMode(queue, runtime);
  const allowed = [
    ...(flags.get('allow-origin')?.split(',') ?? []),
    ...(process.env.VIWO_ALLOWED_ORIGINS?.split(',') ?? []),
  ];
  let server: ReturnType<typeof startServer>;
  try {
    server = startServer({
      runtime,
      port: integerFlag(flags, 'port', 8080)!,
      host: flags.get('host') ?? '127.0.0.1',
      ...(flags.has('token') ? { token: flags.get('token')! } : {}),
      allowedOrigins: allowed.filter(Boolean),
      maxConnections: limitSettingsFromEnv().maxConnections,
      ...(process.env.VIWO_WORKER_TOKEN ? { workerToken: process.env.VIWO_WORKER_TOKEN } : {}),
      ...(process.env.VIWO_MAX_UPLOAD_BYTES
        ? { maxUploadBytes: Number(process.env.VIWO_MAX_UPLOAD_BYTES) }
        : {}),
      ...(queue ? { extraHealth: async () => ({ ...(await queue.health()) }) } : {}),
    });
  } catch (error) {
    // Refusals (a non-loopback bind without a token, a port in use) are user errors, not crashes.
    await runtime.dispose();
    await queue?.close();
    fail((error as Error).message);
  }
  console.log(`viwo imagegen listening on ${server.url} (data: ${dataDir()})`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('shutting down: refusing new connections, cancelling jobs, flushing the database');
    await server.stop();
    await runtime.dispose();
    await queue?.close();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/** Reads a script: `.json` as JSON form, `.viwo` as text form, stdin by its first character. */
async function readScript(file: string): Promise<unknown> {
  const text = file === '-' ? await Bun.stdin.text() : await Bun.file(file).text();
  const kind =
    file === '-'
      ? /^\s*\(/.test(text)
        ? 'text'
        : 'json'
      : extname(file) === '.json'
        ? 'json'
        : 'text';
  if (kind === 'text') return parseText(text);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ScriptError('ParseError', `invalid JSON: ${(error as Error).message}`);
  }
}

async function run(args: string[]): Promise<number> {
  // --no-cache takes no value: every deterministic call runs instead of answering from the cache.
  const noCache = args.includes('--no-cache');
  const { flags, positional } = parseFlags(args.filter((arg) => arg !== '--no-cache'));
  const file = positional[0];
  if (!file) fail(USAGE);
  const gas = integerFlag(flags, 'gas');
  const outDir = flags.get('out');
  let runtime: Runtime | undefined;
  try {
    const script = await readScript(file);
    runtime = await openRuntime(noCache ? { resultCache: false } : {});
    const session = runtime.openSession('cli');
    const result = await session.executeScript(script, gas === undefined ? {} : { gas });
    if (outDir) {
      await mkdir(outDir, { recursive: true });
      for (const image of result.images) {
        await writeFile(
          join(outDir, `${image.$image}.png`),
          await runtime.images.getPng(image.$image),
        );
      }
    }
    process.stdout.write(`${JSON.stringify(result.result ?? null)}\n`);
    return 0;
  } catch (error) {
    const scriptError = error instanceof ScriptError ? error : null;
    const code = scriptError?.code ?? 'InternalError';
    const message = error instanceof Error ? error.message : String(error);
    const where =
      scriptError && scriptError.path.length > 0 ? ` (at ${JSON.stringify(scriptError.path)})` : '';
    process.stderr.write(`${code}: ${message}${where}\n`);
    for (const problem of scriptError?.errors?.slice(1) ?? []) {
      process.stderr.write(
        `  ${problem.code}: ${problem.message} (at ${JSON.stringify(problem.path)})\n`,
      );
    }
    return 1;
  } finally {
    await runtime?.dispose();
  }
}

/** `viwo chat`: the conversation REPL (see chat-cli.ts). */
async function chat(args: string[]): Promise<number> {
  const { flags } = parseFlags(args);
  const options: Record<string, unknown> = {};
  const numeric = {
    steps: 'steps',
    width: 'width',
    height: 'height',
    seed: 'seed',
    guidance: 'guidance_scale',
  };
  for (const [flag, key] of Object.entries(numeric)) {
    const raw = flags.get(flag);
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isFinite(value)) fail(`--${flag} must be a number, got ${raw}`);
    options[key] = value;
  }
  if (flags.has('model')) options.model_id = flags.get('model');
  if (flags.has('capability')) options.capability = flags.get('capability');
  const identity = resolveChatIdentity(dataDir(), flags.get('user'));
  if ('error' in identity) fail(identity.error);
  const runtime = await openRuntime();
  try {
    const { runChat } = await import('./chat-cli.ts');
    return await runChat(
      runtime,
      {
        ...(flags.has('conversation') ? { conversation: flags.get('conversation')! } : {}),
        principal: chatPrincipal(runtime, identity),
        options,
      },
      {
        out: (text) => process.stdout.write(text),
        err: (text) => process.stderr.write(text),
        interactive: process.stderr.isTTY === true,
      },
    );
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await runtime.dispose();
  }
}

async function models(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  const log = (line: string) => console.log(line);
  if (subcommand === 'convert') {
    const { convertCommand } = await import('@viwo/plugin-upscale');
    const converted = await convertCommand(rest, { dataDir: dataDir(), log });
    for (const entry of converted) {
      console.log(
        `${entry.model} x${entry.scale}: ${entry.converted ? 'converted' : 'cached'} ${entry.path}`,
      );
    }
    return 0;
  }
  const { modelsCommand } = await import('@viwo/plugin-diffusers');
  return modelsCommand(args, { dataDir: dataDir(), log });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      await serve(rest);
      return -1;
    case 'run':
      return run(rest);
    case 'worker':
      return (await import('./worker-command.ts')).workerCommand(rest);
    case 'setup':
      return (await import('./gpu/setup-gpu.ts')).setupCommand(rest);
    case 'models':
      try {
        return await models(rest);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        process.stderr.write(
          `${typeof code === 'string' ? code : 'Error'}: ${(error as Error).message}\n`,
        );
        return 1;
      }
    case 'config':
      try {
        const { configCommand } = await import('./config-command.ts');
        return await configCommand(rest, {
          dataDir: dataDir(),
          readStdin: () => Bun.stdin.text(),
          log: (line) => console.log(line),
        });
      } catch (error) {
        process.stderr.write(`${(error as Error).message}\n`);
        return 1;
      }
    case 'users': {
      const outcome = usersCommand(rest, dataDir());
      for (const line of outcome.stdout) process.stdout.write(`${line}\n`);
      for (const line of outcome.stderr) process.stderr.write(`${line}\n`);
      return outcome.code;
    }
    case 'chat':
      return chat(rest);
    case 'gc':
      return gcCommand(rest, dataDir());
    default:
      process.stderr.write(`${USAGE}\n`);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
