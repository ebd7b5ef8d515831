import { createSignal } from 'solid-js';

/** localStorage key of the user's defaults (generation parameters and new-canvas size). */
export const SETTINGS_KEY = 'viwo.imagegen.settings';

/** Defaults for a new canvas when the user has not chosen any. */
export const DEFAULT_CANVAS_SIZE = { width: 512, height: 512 };

function load(): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}');
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    // A corrupt entry must not stop the app from starting: start from the metadata defaults.
    return {};
  }
}

// One store for the whole app, so the settings panel and the generate panel never disagree.
const [settings, setSettings] = createSignal<Record<string, unknown>>(load());

/** The user's saved defaults: generation option values by parameter name, plus canvas size. */
export { settings };

/** Sets one default (`undefined` or `''` removes it, so the capability default applies again). */
export function updateSetting(name: string, value: unknown): void {
  const next = { ...settings() };
  if (value === undefined || value === '') delete next[name];
  else next[name] = value;
  setSettings(next);
  localStorage.setItem(SETTINGS_KEY, JSON.stringify(next));
}

/** Forgets every saved default. */
export function resetSettings(): void {
  setSettings({});
  localStorage.removeItem(SETTINGS_KEY);
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
