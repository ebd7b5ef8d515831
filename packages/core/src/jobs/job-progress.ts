import type { ImageValue, JobProgress } from '@viwo/protocol';

/** A progress report from a running method; core turns it into `job.progress`. */
export interface ProgressReport {
  label: string;
  step: number;
  total: number;
  /** Optional low-resolution preview, already stored. */
  preview?: ImageValue;
  /** Queue mode: the worker running the call (set by core's dispatcher, not by plugins). */
  worker?: string;
}

/** The `job.progress` params for a report: fraction clamped to 0..1, eta from the rate so far. */
export function progressParams(
  jobId: string,
  report: ProgressReport,
  etaMs: number | null = null,
): JobProgress {
  const total = report.total > 0 ? report.total : 1;
  const params: JobProgress = {
    job_id: jobId,
    label: report.label,
    step: report.step,
    total: report.total,
    fraction: Math.min(1, Math.max(0, report.step / total)),
    eta_ms: etaMs,
  };
  if (report.preview !== undefined) params.preview = report.preview;
  if (report.worker !== undefined) params.worker = report.worker;
  return params;
}
