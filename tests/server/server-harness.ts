import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCanvasPlugin,
  createRuntime,
  type Plugin,
  type Runtime,
  type RuntimeOptions,
} from '@viwo/core';
import { createTestPlugin } from '@viwo/core/testing';
import {
  type RunningServer,
  type ServerOptions,
  startServer,
} from '../../apps/server/src/index.ts';

/** A real runtime + server on an ephemeral port with a temp data dir. */
export interface TestServer {
  runtime: Runtime;
  server: RunningServer;
  dataDir: string;
  wsUrl: string;
  stop(): Promise<void>;
}

export async function startTestServer(
  options: Partial<ServerOptions> & {
    plugins?: Plugin[];
    dataDir?: string;
    /** Extra runtime options (limits, history retention, job concurrency). */
    runtimeOptions?: Partial<RuntimeOptions>;
  } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'viwo-server-'));
  const { runtimeOptions, ...serverOptions } = options;
  const runtime = await createRuntime({
    ...runtimeOptions,
    dataDir,
    plugins: options.plugins ?? [createTestPlugin(), createCanvasPlugin()],
  });
  const server = startServer({ port: 0, ...serverOptions, runtime });
  return {
    runtime,
    server,
    dataDir,
    wsUrl: `ws://127.0.0.1:${server.port}/rpc`,
    async stop() {
      await server.stop();
      await runtime.dispose();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
