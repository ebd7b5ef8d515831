/**
 * After a reconnect, jobs the client still shows as running may have ended while it was away —
 * or died with the server. Each is asked about with `job.get`: a finished job takes its real
 * status; one the server no longer knows as running is `interrupted`, so no phantom job keeps a
 * spinner and a cancel button.
 */

/** Asks the server about one job (`job.get`). */
export type JobQuery = (jobId: string) => Promise<{ status?: string }>;

/** Statuses of a job that is still going. */
const LIVE = new Set(['queued', 'running']);

/**
 * Resolves the final status of every job id in `open` whose server state is no longer live;
 * `settle(jobId, status)` is called for each.
 */
export async function reconcileJobs(
  getJob: JobQuery,
  open: readonly string[],
  settle: (jobId: string, status: string) => void,
): Promise<void> {
  await Promise.all(
    open.map(async (jobId) => {
      let status: string;
      try {
        status = (await getJob(jobId)).status ?? '';
      } catch {
        status = 'interrupted';
      }
      if (!LIVE.has(status)) settle(jobId, status || 'interrupted');
    }),
  );
}
