import type { ImageValue, JobStatus, LogLevel } from '@viwo/protocol';
import type { PrincipalUser } from '../persistence/access-scope.ts';

/** A job that has ended, as {@link JobFinishedListeners} see it (after its reply was sent). */
export interface FinishedJob {
  jobId: string;
  status: JobStatus;
  /** Every image the job produced (as its reply and history list them). */
  images: ImageValue[];
  /** The signed-in user the job ran for; absent on a server without users. */
  user?: PrincipalUser;
  /** When the job ended, in milliseconds since the epoch. */
  ended: number;
  /**
   * Adds a line to the job's logs after the fact: a `job.log` notification to its session while
   * it is connected, and the line appended to its history entry.
   */
  log(level: LogLevel, message: string): void;
}

/** Called once per finished job; may be async (its promise is not awaited by the job). */
export type JobFinishedListener = (job: FinishedJob) => void | Promise<void>;

/**
 * The listeners of the job-finished event. A listener that throws or rejects is reported to
 * `onError` and never affects the job, its reply or the other listeners.
 */
export class JobFinishedListeners {
  private readonly listeners = new Set<JobFinishedListener>();

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Adds a listener; returns the function that removes it. */
  add(listener: JobFinishedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls every listener with `job`, isolating their failures. */
  emit(job: FinishedJob): void {
    for (const listener of this.listeners) {
      try {
        const outcome = listener(job);
        if (outcome instanceof Promise) outcome.catch(this.onError);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}
