/**
 * Prompt history (newest first, kept in localStorage) with ↑/↓ recall in the prompt box, and the
 * hand-over of a gallery entry's parameters to the generate panel ("Use parameters").
 */
import { createSignal } from 'solid-js';

const KEY = 'viwo.imagegen.prompts';
const LIMIT = 50;

function load(): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((entry) => typeof entry === 'string') : [];
  } catch {
    return [];
  }
}

const [history, setHistory] = createSignal<string[]>(
  typeof localStorage === 'undefined' ? [] : load(),
);

/** Prompts used, newest first (reactive). */
export const promptHistory = history;

/** Records a prompt that was generated from (moved to the front when used before). */
export function rememberPrompt(prompt: string): void {
  const text = prompt.trim();
  if (!text) return;
  const next = [text, ...history().filter((entry) => entry !== text)].slice(0, LIMIT);
  setHistory(next);
  try {
    localStorage.setItem(KEY, JSON.stringify(next));
  } catch {
    // Storage full: the history still works for this page.
  }
}

/**
 * Steps through the history from `position` (-1 = the text being typed) by `step` (+1 older,
 * -1 newer). Returns the new position and text, or undefined at either end.
 */
export function recallPrompt(
  entries: readonly string[],
  position: number,
  step: 1 | -1,
  draft: string,
): { position: number; text: string } | undefined {
  const next = position + step;
  if (next < -1 || next >= entries.length) return undefined;
  return { position: next, text: next === -1 ? draft : entries[next]! };
}

/** Parameters handed from the gallery to the generate panel. */
export interface ParameterHandOver {
  prompt?: string;
  options: Record<string, unknown>;
}

const [handOver, setHandOver] = createSignal<ParameterHandOver>();

/** The parameters waiting to be applied by the generate panel (reactive). */
export const pendingParameters = handOver;

/** Asks the generate panel to take these parameters (it clears them once applied). */
export function useParameters(parameters: ParameterHandOver | undefined): void {
  setHandOver(parameters);
}
