/**
 * `settings.outputs.get` / `settings.outputs.set` result: the server folder every finished job's
 * images are also written to (`<folder>/[<user>/]<YYYY-MM-DD>/<HHMMSS>-<seed>-<hash8>.png`),
 * or null when that is off.
 */
export interface OutputsSettings {
  folder: string | null;
}

/**
 * `settings.outputs.set` params: an absolute path outside the server's data directory (created
 * when missing, must be writable), or null to turn writing off.
 */
export interface OutputsSetParams {
  folder: string | null;
}
