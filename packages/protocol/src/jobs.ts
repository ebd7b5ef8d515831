import type { LogLevel } from './metadata.ts';
import type { ImageValue } from './wire-values.ts';

/** Lifecycle of a job, as `job.get` and history report it. */
export type JobStatus = 'queued' | 'running' | 'done' | 'error' | 'cancelled' | 'interrupted';

/** A script error on the wire (`data` of a −32000 answer, `error` of a failed job). */
export interface ScriptErrorData {
  code: string;
  message: string;
  path?: (string | number)[];
}

/** One log line of a job. */
export interface JobLog {
  level: LogLevel;
  message: string;
}

/** `execute_script` params: the script in JSON form or text form, optional gas. */
export interface ExecuteScriptParams {
  script: unknown;
  gas?: number;
  /** History entry this run derives from (a re-run or variation). */
  parent_id?: string;
}

/** What `execute_script` answers. */
export interface JobResult {
  job_id: string;
  result: unknown;
  images: ImageValue[];
  logs: JobLog[];
  duration_ms: number;
  /** US dollars the job's paid (cloud) calls reported; absent when none did. */
  cost?: number;
}

/** Params of the `job.progress` notification. `eta_ms` is null until a rate is known. */
export interface JobProgress {
  job_id: string;
  label: string;
  step: number;
  total: number;
  /** `step / total`, clamped to 0..1. */
  fraction: number;
  eta_ms: number | null;
  preview?: ImageValue;
  /** Queue mode: the worker running the job's current call. */
  worker?: string;
}

/** Params of the `job.log` notification. */
export interface JobLogNotice {
  job_id: string;
  level: LogLevel;
  message: string;
}

/** Params of the `job.done` notification. */
export interface JobDone {
  job_id: string;
  status: JobStatus;
}

/** A job as `job.list`, `job.get` and `job.cancel` report it. */
export interface JobSummary {
  job_id: string;
  status: JobStatus;
  created: number;
  duration_ms: number | null;
  images: ImageValue[];
  progress?: JobProgress;
  error?: ScriptErrorData;
  result?: unknown;
  /** Queue mode: the workers that ran this job's device calls. */
  workers?: string[];
}
