/**
 * The server under test for bench/limits, in its own process (as a real server is): the test
 * plugin, a temp data dir, port 0. Prints `PORT <n>` once listening; `VIWO_BENCH_MAX_JOBS` sets
 * the global job limit (the bench runs once with the default and once with it lifted).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime } from '@viwo/core';
import { createTestPlugin } from '@viwo/core/testing';
import { startServer } from '../../apps/server/src/index.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'viwo-bench-limits-'));
const maxJobs = process.env.VIWO_BENCH_MAX_JOBS;
const runtime = await createRuntime({
  dataDir,
  plugins: [createTestPlugin()],
  ...(maxJobs ? { maxConcurrentJobs: Number(maxJobs) } : {}),
});
const server = startServer({ runtime, port: 0, rpcLimits: { maxConcurrentJobs: 8 } });
console.log(`PORT ${server.port}`);

const stop = async () => {
  await server.stop();
  await runtime.dispose();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
