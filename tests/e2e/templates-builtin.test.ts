/**
 * The built-in templates work out of the box: each runs on a fresh real server (empty data dir,
 * tiny test models, real ESRGAN) and produces images. A template whose capability method this
 * server does not offer yet is reported by name instead of run.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync } from 'node:fs';
import type { CapabilityMetadata } from '@viwo/protocol';
import { BUILTIN_TEMPLATES } from '../../apps/imagegen/src/templates/builtin-templates.ts';
import { analyseScript } from '../../apps/imagegen/src/templates/script-analysis.ts';
import {
  SERVER_CLI,
  startViwoServer,
  type ViwoServer,
} from '../../apps/imagegen/test/blocks-browser-harness.ts';

const missing = existsSync(SERVER_CLI) ? undefined : `${SERVER_CLI} does not exist yet`;
if (missing) console.warn(`skipping built-in template tests: ${missing}`);

let server: ViwoServer | undefined;
let socket: WebSocket | undefined;
let capabilities: CapabilityMetadata[] = [];
const pending = new Map<number, (message: { result?: unknown; error?: unknown }) => void>();
let nextId = 1;

function call(method: string, params?: unknown): Promise<{ result?: unknown; error?: unknown }> {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    socket!.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  });
}

beforeAll(async () => {
  if (missing) return;
  server = await startViwoServer();
  socket = new WebSocket(`${server.base.replace(/^http/, 'ws')}/rpc`);
  await new Promise((ready, fail) => {
    socket!.onopen = ready;
    socket!.onerror = fail;
  });
  socket.onmessage = (event) => {
    const message = JSON.parse(String(event.data));
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  };
  capabilities = (await call('get_capability_metadata')).result as CapabilityMetadata[];
}, 180_000);

afterAll(async () => {
  socket?.close();
  await server?.stop();
});

describe.skipIf(missing !== undefined)('built-in templates on a fresh server', () => {
  for (const template of BUILTIN_TEMPLATES) {
    test(template.name, async () => {
      const offered = new Set(
        capabilities.flatMap((capability) =>
          capability.methods.map((method) => `${capability.type}.${method.name}`),
        ),
      );
      const needed = analyseScript(template.script, capabilities).calls.map(
        (use) => `${use.type}.${use.method}`,
      );
      const absent = needed.filter((method) => !offered.has(method));
      if (absent.length > 0) {
        console.warn(`"${template.name}" not run: this server does not offer ${absent.join(', ')}`);
        return;
      }
      const answer = await call('execute_script', { script: template.script });
      expect(answer.error).toBeUndefined();
      const result = answer.result as { images: { width: number; height: number }[] };
      expect(result.images.length).toBeGreaterThan(0);
    }, 180_000);
  }
});
