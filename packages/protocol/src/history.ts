import type { JobLog, JobStatus, ScriptErrorData } from './jobs.ts';
import type { ImageValue } from './wire-values.ts';

/** One capability call a job made, kept as the history entry's `params`. */
export interface RecordedCall {
  type: string;
  method: string;
  args: unknown[];
  /** What the call cost in US dollars, when a paid (cloud) capability reported it. */
  cost?: number;
}

/** A history entry as served by `history.list` / `history.get`. */
export interface HistoryEntry {
  id: string;
  job_id: string;
  created: number;
  status: JobStatus;
  script: unknown;
  params: RecordedCall[];
  seeds: number[];
  images: ImageValue[];
  duration_ms: number | null;
  parent_id?: string;
  favorite: boolean;
  /** Total US dollars the job's paid (cloud) calls reported; absent when none did. */
  cost?: number;
  result?: unknown;
  error?: ScriptErrorData;
  logs: JobLog[];
}

/** Filters for `history.list`. */
export interface HistoryQuery {
  /** Substring matched against the script text and recorded call arguments (prompts). */
  query?: string;
  /** Only entries whose job used this capability type. */
  type?: string;
  limit?: number;
  offset?: number;
  favorite?: boolean;
}
