/**
 * Local copy of the template list (localStorage), so the panel shows templates while the
 * connection is down or reconnecting. The server stays the source of truth: every successful
 * `templates.list` replaces the cache.
 */

import type { TemplateRecord } from '../rpc/templates-api.ts';
import type { KeyValueStorage as FullStorage } from '../state/persisted.ts';

/** The part of `Storage` the cache needs (tests pass a Map-backed one). */
export type KeyValueStorage = Pick<FullStorage, 'getItem' | 'setItem'>;

const CACHE_KEY = 'viwo.templates.cache.v1';

/** Reads the cached list; a missing or corrupted entry gives an empty list. */
export function readTemplateCache(storage: KeyValueStorage): TemplateRecord[] {
  const text = storage.getItem(CACHE_KEY);
  if (!text) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (entry): entry is TemplateRecord =>
        entry !== null &&
        typeof entry === 'object' &&
        typeof (entry as TemplateRecord).id === 'string' &&
        typeof (entry as TemplateRecord).name === 'string',
    );
  } catch {
    return [];
  }
}

/** Replaces the cached list (quota errors are ignored: the cache is only a convenience). */
export function writeTemplateCache(storage: KeyValueStorage, templates: TemplateRecord[]): void {
  try {
    storage.setItem(CACHE_KEY, JSON.stringify(templates));
  } catch {
    // A full storage must not break the panel; the next successful list retries.
  }
}

/** Case-insensitive search over name, description and tags (the server filters the same way). */
export function filterTemplates(templates: TemplateRecord[], query: string): TemplateRecord[] {
  const needle = query.trim().toLowerCase();
  if (!needle) return templates;
  return templates.filter((template) =>
    [template.name, template.description ?? '', ...(template.tags ?? [])].some((text) =>
      text.toLowerCase().includes(needle),
    ),
  );
}
