/**
 * Jobs a previous server process left unfinished run again on start: our jobs are deterministic
 * scripts, so a rerun gives the same bytes, and the person who started one finds its result in the
 * gallery instead of a dead entry. Each goes into the server queue (visible and cancellable in
 * the Queue panel, marked as a rerun) for the user it belonged to, as that user is now.
 *
 * Invariant: a job is rerun at most once by this path. Its history entry is marked `interrupted`
 * when the runtime opens (so the next start does not find it again), and the rerun is a queue
 * item, which the queue itself does not rerun a second time after another crash.
 */
import type { InterruptedJob, Principal, Runtime } from '@viwo/core';
import { recordedCallsFromScript } from '@viwo/protocol';
import type { JobQueue } from './job-queue.ts';

/** The principal connections use on a server without users (see auth.ts). */
const LOCAL: Principal = { id: 'local', local: true };

/** What the Queue panel shows of a rerun: its prompt when the script states one. */
function rerunMeta(job: InterruptedJob): Record<string, unknown> {
  const [call] = recordedCallsFromScript(job.script).calls;
  const prompt = call?.args.find((arg) => typeof arg === 'string');
  return {
    mode: 'rerun',
    rerun_of: job.id,
    ...(typeof prompt === 'string' ? { prompt } : {}),
  };
}

/**
 * Queues every interrupted job the queue does not rerun itself (those it ran are in its own
 * file). Returns how many were queued; `log` hears one line per job it cannot rerun.
 */
export function rerunInterruptedJobs(
  runtime: Runtime,
  queue: JobQueue,
  log: (line: string) => void,
): number {
  let queued = 0;
  for (const job of runtime.interrupted) {
    if (job.source === 'queue' || job.script === null) continue;
    let principal = LOCAL;
    if (job.owner !== null) {
      const user = runtime.users.byId(job.owner);
      if (!user) {
        log(`not rerunning interrupted job ${job.jobId}: its user no longer exists`);
        continue;
      }
      principal = runtime.userPrincipal(user);
    }
    queue.submit(principal, job.script, rerunMeta(job), { rerun: true });
    queued++;
  }
  if (queued > 0) log(`queued ${queued} job(s) interrupted by the last stop to run again`);
  return queued;
}
