/**
 * After a reconnect, jobs the client still shows as running may have ended while it was away —
 * or died with the server. Each is asked about with `job.get`: a finished job takes its real
 * status; one the server no longer knows as running is `interrupted`, so no phantom job keeps a
 * spinner and a cancel button.
 */

/** The minimal RPC surface needed here. */
export interface JobQuery {
  call<T = unknown>(method: string, params?: unknown): Promise<T>;
}

/** Statuses of a job that is still going. */
const LIVE = new Set(['queued', 'running']);

/**
 * Resolves the final status of every job id in `open` whose server state is no longer live;
 * `settle(jobId, status)` is called for each.
 */
export async function reconcileJobs(
  rpc: JobQuery,
  open: readonly string[],
  settle: (jobId: string, status: string) => void,
): Promise<void> {
  await Promise.all(
    open.map(async (jobId) => {
      let status: string;
      try {
        status = (await rpc.call<{ status?: string }>('job.get', { job_id: jobId })).status ?? '';
      } catch {
        status = 'interrupted';
      }
      if (!LIVE.has(status)) settle(jobId, status || 'interrupted');
    }),
  );
}
