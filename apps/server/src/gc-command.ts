import { createRuntime } from '@viwo/core';

/** Default grace period of `viwo gc`: images written in the last hour are never removed. */
export const GC_GRACE_MINUTES = 60;

/**
 * `viwo gc [--grace-minutes N]`: deletes stored images nothing references, except those written
 * within the grace period. Safe beside a running server: it loads no plugins, leaves the server's
 * running jobs alone (no `interrupted` marking), and the grace period keeps fresh uploads and the
 * images of jobs still running in the server (not yet in history) — whose files are new, or were
 * touched when re-stored.
 */
export async function gcCommand(args: string[], dataDir: string): Promise<number> {
  let graceMinutes = GC_GRACE_MINUTES;
  for (let index = 0; index < args.length; index++) {
    if (args[index] !== '--grace-minutes') {
      process.stderr.write(
        `viwo gc: unknown argument ${args[index]} (usage: viwo gc [--grace-minutes N])\n`,
      );
      return 2;
    }
    const value = Number(args[index + 1]);
    if (!Number.isFinite(value) || value < 0) {
      process.stderr.write('viwo gc: --grace-minutes needs a number of minutes (0 or more)\n');
      return 2;
    }
    graceMinutes = value;
    index++;
  }
  const runtime = await createRuntime({ dataDir, plugins: [], recoverInterrupted: false });
  try {
    const { removed } = await runtime.gc({ olderThanMs: graceMinutes * 60 * 1000 });
    console.log(JSON.stringify({ removed, grace_minutes: graceMinutes }));
    return 0;
  } finally {
    await runtime.dispose();
  }
}
