/**
 * The user's state that survives reloads, in one place: generation defaults and canvas size,
 * the theme, and the shared script. Each is a {@link persisted} value under its own key.
 */
import { type Persisted, persisted } from './persisted.ts';

/** localStorage key of the user's defaults (generation parameters and new-canvas size). */
export const SETTINGS_KEY = 'viwo.imagegen.settings';

/** localStorage key of the theme. */
export const THEME_KEY = 'viwo.theme';

/** localStorage key of the shared script. */
export const SCRIPT_KEY = 'viwo.imagegen.script';

/** Defaults for a new canvas when the user has not chosen any. */
export const DEFAULT_CANVAS_SIZE = { width: 512, height: 512 };

/** The app's colour themes. */
export type Theme = 'dark' | 'light';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// One store for the whole app, so the settings panel and the generate panel never disagree.
const stored = persisted<Record<string, unknown>>(SETTINGS_KEY, () => ({}), isRecord);

/** The user's saved defaults: generation option values by parameter name, plus canvas size. */
export const settings = stored.value;

/** Sets one default (`undefined` or `''` removes it, so the capability default applies again). */
export function updateSetting(name: string, value: unknown): void {
  const next = { ...settings() };
  if (value === undefined || value === '') delete next[name];
  else next[name] = value;
  stored.set(next);
}

/** Forgets every saved default. */
export function resetSettings(): void {
  stored.reset();
}

/** The size a new canvas gets: the saved one when valid, else 512×512. */
export function canvasSize(): { width: number; height: number } {
  const side = (value: unknown, fallback: number) =>
    typeof value === 'number' && Number.isInteger(value) && value >= 8 && value <= 4096
      ? value
      : fallback;
  return {
    width: side(settings().canvas_width, DEFAULT_CANVAS_SIZE.width),
    height: side(settings().canvas_height, DEFAULT_CANVAS_SIZE.height),
  };
}

/** The theme (dark unless the user chose light). Older builds stored it as a bare string. */
export const theme: Persisted<Theme> = persisted<Theme>(
  THEME_KEY,
  () => 'dark',
  (value): value is Theme => value === 'dark' || value === 'light',
);

/**
 * The shared script as last saved, or `fallback()` (a fresh canvas) when none is stored or the
 * stored text is corrupt.
 */
export function persistedScript(fallback: () => unknown): Persisted<unknown> {
  return persisted<unknown>(
    SCRIPT_KEY,
    fallback,
    (value): value is unknown => value !== null && value !== undefined,
  );
}
