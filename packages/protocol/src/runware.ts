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
