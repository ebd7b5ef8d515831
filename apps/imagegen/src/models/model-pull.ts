import type { JobProgress, ModelSummary } from '@viwo/protocol';
import type { RpcLike } from '../rpc/rpc-client.ts';

/** The state of one pull as the drawer shows it. */
export interface PullState {
  repo: string;
  /** The pull's job, once its first progress arrives (needed to cancel it). */
  jobId?: string;
  label: string;
  fraction: number;
}

/** Progress labels of a pull: `<file> (<index>/<count>)`, as the models capability reports. */
const PULL_LABEL = /\(\d+\/\d+\)$/;

/**
 * Pulls a hub repository as a job: `models.pull` answers only when the download is done, so the
 * job id (for `job.cancel`) and the live progress come from `job.progress` notifications — the
 * first ones with a download label from a job that was not already running when the pull began.
 */
export async function pullModel(
  rpc: RpcLike,
  repo: string,
  onState: (state: PullState) => void,
  runningBefore: ReadonlySet<string> = new Set(),
): Promise<ModelSummary> {
  let state: PullState = { repo, label: 'starting…', fraction: 0 };
  onState(state);
  const unsubscribe = rpc.on?.('job.progress', (progress: JobProgress) => {
    if (runningBefore.has(progress.job_id)) return;
    if (state.jobId === undefined && !PULL_LABEL.test(progress.label)) return;
    if (state.jobId !== undefined && progress.job_id !== state.jobId) return;
    state = { repo, jobId: progress.job_id, label: progress.label, fraction: progress.fraction };
    onState(state);
  });
  try {
    const outcome = await rpc.call('models.pull', { repo });
    return outcome.result;
  } finally {
    unsubscribe?.();
  }
}

/** Bytes as a short human size (`1.4 GB`, `820 KB`). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
