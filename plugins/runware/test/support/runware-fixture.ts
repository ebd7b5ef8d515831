import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, type Plugin, type Runtime, type Session } from '@viwo/core';
import { createRunwarePlugin, type RunwarePluginOptions } from '../../src/index.ts';
import {
  type RunwareStandIn,
  type StandInOptions,
  startRunwareStandIn,
} from '../../src/testing/index.ts';

/** The key the stand-in accepts by default. */
export const TEST_KEY = 'test-key-0123456789';

/** A stand-in, a real runtime with the runware plugin pointed at it, and a session. */
export interface RunwareFixture {
  standIn: RunwareStandIn;
  runtime: Runtime;
  session: Session;
  dataDir: string;
  logs: string[];
  dispose(): Promise<void>;
}

/** Starts the stand-in and a runtime whose only plugin is runware (fast: no model installs). */
export async function runwareFixture(
  plugin: Partial<RunwarePluginOptions> = {},
  standIn: StandInOptions = {},
  others: Plugin[] = [],
): Promise<RunwareFixture> {
  const server = startRunwareStandIn(standIn);
  const dataDir = await mkdtemp(join(tmpdir(), 'viwo-runware-'));
  const logs: string[] = [];
  const runtime = await createRuntime({
    dataDir,
    plugins: [
      ...others,
      createRunwarePlugin({ url: server.url, apiKey: TEST_KEY, env: {}, ...plugin }),
    ],
    logger: (name, level, message) => logs.push(`[${name}] ${level}: ${message}`),
  });
  const session = runtime.openSession('local');
  return {
    standIn: server,
    runtime,
    session,
    dataDir,
    logs,
    async dispose() {
      session.close();
      await runtime.dispose();
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A script calling one runware method. */
export function call(method: string, ...args: unknown[]): unknown {
  return ['std.call_method', ['get_capability', 'runware'], method, ...args];
}
