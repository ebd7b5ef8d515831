/** Where the server's Runware API key comes from (never the key itself). */
export type RunwareKeySource = 'environment' | 'config' | 'option';

/** `settings.runware.get` (and `set_key`) result: whether a key is set, never its value. */
export interface RunwareSettingsView {
  configured: boolean;
  source: RunwareKeySource | null;
  /** Whether this connection may set the key (a loopback or admin session). */
  can_set_key: boolean;
  /** Suggested AIR ids for the model field. */
  popular_models: { id: string; name: string }[];
}

/** `settings.runware.set_key` params: the new key (an empty string removes the stored one). */
export interface RunwareSetKeyParams {
  api_key: string;
}

/** Where a model in a `settings.runware.models` answer came from. */
export type RunwareModelSource = 'popular' | 'search';

/**
 * One Runware model as the client lists it: its AIR id (what `model_id` takes), name, and the
 * catalogue facts Runware's `modelSearch` reports (each optional: Runware may leave them out).
 */
export interface RunwareModelInfo {
  air: string;
  name: string;
  /** Runware's architecture id, e.g. `flux1d`, `sdxl`, `sd1x`. */
  architecture?: string;
  /** Runware's category, e.g. `checkpoint`, `lora`, `controlnet`. */
  category?: string;
  /** For checkpoints: `base`, `inpainting` or `pix2pix`. */
  type?: string;
  version?: string;
  source: RunwareModelSource;
}

/**
 * `settings.runware.models` params. Without `search` (or with only spaces) the answer is the
 * built-in popular list and no request leaves the server; with it the server runs Runware's
 * `modelSearch`. `limit` is 1–100 (default 20), `offset` 0–10000 (default 0).
 */
export interface RunwareModelsParams {
  search?: string;
  limit?: number;
  offset?: number;
}

/** `settings.runware.models` result. */
export interface RunwareModelsResult {
  models: RunwareModelInfo[];
  /** How many models match the search in all (Runware's `totalResults`); null for the popular list. */
  total: number | null;
  /** False when the server has no Runware API key: the answer is then the popular list only. */
  key_set: boolean;
}
