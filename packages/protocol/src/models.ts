/** Whether a model is a generated tiny test model or real downloaded weights. */
export type ModelKind = 'test' | 'real';

/** One installed model as `models.list` reports it; plugins may add fields. */
export interface ModelSummary {
  id: string;
  family: string;
  kind: ModelKind;
  /** Size on disk in bytes. */
  bytes: number;
  /** Native resolution in pixels, where the family has one. */
  native_size?: number;
  /** Where it came from (a hub repo id, `generated`, …). */
  source?: string;
  [extra: string]: unknown;
}

/** `models.pull` params: a hub repository id (e.g. `onnx-community/sd-turbo`). */
export interface ModelPullParams {
  repo: string;
}

/** `models.pull` result: the job that downloaded it (progress as for scripts) and the model. */
export interface ModelPullResult {
  job_id: string;
  model: ModelSummary;
}
