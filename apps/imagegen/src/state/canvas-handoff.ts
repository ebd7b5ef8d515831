/**
 * Handing a script to a new tab: the opening tab writes it to localStorage under a one-shot key
 * and opens `?canvas=<id>`; the new tab takes (reads and deletes) that entry on load and starts
 * its own canvas document from it. The entry carries the trust state with the script, so a
 * script from elsewhere stays unconfirmed in the new tab too.
 */
import type { DocumentStorage } from './canvas-document.ts';

/** The URL parameter naming the entry a new tab starts from. */
export const HANDOFF_PARAM = 'canvas';
const HANDOFF_PREFIX = 'viwo.imagegen.handoff.';
/** Entries older than this were never picked up (the tab was blocked or closed): dropped. */
export const HANDOFF_MAX_AGE_MS = 60 * 60 * 1000;
/** Ids are ours (random UUIDs); anything else in the URL is refused before touching storage. */
const ID_PATTERN = /^[A-Za-z0-9-]{8,64}$/;

/** What a new tab starts from. */
export interface CanvasHandoff {
  script: unknown;
  /** Where the script came from while it still needs a confirmation before anything runs. */
  untrusted: string | null;
  /** The mode the new tab opens in. */
  mode: 'layer' | 'blocks';
  /** What was handed over, for the new tab's greeting ("template "Inpaint""). */
  label: string;
  /** When it was written (ms since the epoch), for dropping entries nobody picked up. */
  created: number;
}

/** The storage the handoff needs: the canvas documents' own (localStorage, or in-memory). */
export type HandoffStorage = DocumentStorage;

/** A handoff entry that could not be read; `path` names the offending field. */
export class HandoffError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`canvas handoff ${path}: ${message}`);
    this.name = 'HandoffError';
  }
}

/** The storage key of handoff `id`. */
export function handoffKey(id: string): string {
  if (!ID_PATTERN.test(id)) throw new HandoffError('$id', `"${id}" is not a handoff id`);
  return HANDOFF_PREFIX + id;
}

/** The URL of this app that starts a new tab from handoff `id` (other parameters dropped). */
export function handoffUrl(location: { origin: string; pathname: string }, id: string): string {
  handoffKey(id);
  return `${location.origin}${location.pathname}?${HANDOFF_PARAM}=${encodeURIComponent(id)}`;
}

/** Reads an entry, checking every field; throws {@link HandoffError} naming the bad one. */
export function decodeHandoff(text: string): CanvasHandoff {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HandoffError('$', `not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HandoffError('$', 'must be an object');
  const entry = value as Record<string, unknown>;
  if (!('script' in entry)) throw new HandoffError('$.script', 'is missing');
  if (entry.untrusted !== null && typeof entry.untrusted !== 'string')
    throw new HandoffError('$.untrusted', 'must be a string or null');
  if (entry.mode !== 'layer' && entry.mode !== 'blocks')
    throw new HandoffError('$.mode', 'must be "layer" or "blocks"');
  if (typeof entry.label !== 'string') throw new HandoffError('$.label', 'must be a string');
  if (typeof entry.created !== 'number' || !Number.isFinite(entry.created))
    throw new HandoffError('$.created', 'must be a number');
  return {
    script: entry.script,
    untrusted: entry.untrusted as string | null,
    mode: entry.mode,
    label: entry.label,
    created: entry.created,
  };
}

const randomId = (): string =>
  globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36)}`;

/** Writes `handoff` under a fresh id and returns the id (storage errors propagate). */
export function writeHandoff(
  storage: HandoffStorage,
  handoff: CanvasHandoff,
  id: string = randomId(),
): string {
  storage.setItem(handoffKey(id), JSON.stringify(handoff));
  return id;
}

/** Deletes entries older than {@link HANDOFF_MAX_AGE_MS} (and unreadable ones). */
export function pruneHandoffs(storage: HandoffStorage, now: number): void {
  const stale: string[] = [];
  for (let index = 0; index < storage.length; index++) {
    const key = storage.key(index);
    if (!key?.startsWith(HANDOFF_PREFIX)) continue;
    try {
      if (now - decodeHandoff(storage.getItem(key) ?? '').created > HANDOFF_MAX_AGE_MS)
        stale.push(key);
    } catch {
      stale.push(key);
    }
  }
  for (const key of stale) storage.removeItem(key);
}

/** What a page load found in its URL. */
export type HandoffTake =
  | { kind: 'none' }
  | { kind: 'taken'; handoff: CanvasHandoff }
  | { kind: 'missing'; reason: string };

/**
 * Takes the entry named by the URL's `canvas` parameter: read once, then deleted, so a second
 * tab opened from the same URL (or a copied link) cannot pick the same script up again.
 */
export function takeHandoff(storage: HandoffStorage, search: string): HandoffTake {
  const id = new URLSearchParams(search).get(HANDOFF_PARAM);
  if (id === null) return { kind: 'none' };
  let key: string;
  try {
    key = handoffKey(id);
  } catch (error) {
    return { kind: 'missing', reason: (error as Error).message };
  }
  const text = storage.getItem(key);
  storage.removeItem(key);
  if (text === null) return { kind: 'missing', reason: 'it was already opened in another tab' };
  try {
    return { kind: 'taken', handoff: decodeHandoff(text) };
  } catch (error) {
    return { kind: 'missing', reason: (error as Error).message };
  }
}

/** The URL without the handoff parameter (so a reload reopens the tab's own document). */
export function withoutHandoffParam(href: string): string {
  const url = new URL(href);
  url.searchParams.delete(HANDOFF_PARAM);
  return url.toString();
}
