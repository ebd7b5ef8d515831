import type { JobResult } from './jobs.ts';

/** Whether a model is a generated tiny test model or real downloaded weights. */
export type ModelKind = 'test' | 'real';

/** One installed model as `models.list` reports it. */
export interface ModelSummary {
  id: string;
  label: string;
  family: string;
  kind: ModelKind;
  /** Size on disk in bytes (every file of the model). */
  bytes: number;
  /** Native resolution in pixels. */
  native_size: number;
  /** What it is for: `txt2img`, `inpaint` (9-channel UNet), `controlnet`. */
  purposes: string[];
  /** Where it came from (a hub URL), when pulled. */
  source: string | null;
  /** Whether generation uses it when no `model_id` is given. */
  default: boolean;
  /** What a generation with this model uses for options a call leaves out. */
  defaults?: { steps: number; guidance_scale: number; scheduler: string };
}

/** `models.pull` params: a hub repository id (e.g. `onnx-community/sd-turbo`), optional revision. */
export interface ModelPullParams {
  repo: string;
  revision?: string;
}

/**
 * `models.pull` result: the download runs as a job (progress as for scripts, `job.cancel` stops
 * it, pulling again resumes), answered like `execute_script` with the installed model as result.
 */
export type ModelPullResult = Omit<JobResult, 'result'> & { result: ModelSummary };
