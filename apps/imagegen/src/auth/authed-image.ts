import { type Accessor, createSignal } from 'solid-js';
import { authedFetch, storedToken } from './auth-token.ts';

/** Shown while an image is still loading (a 1×1 transparent GIF: no broken-image icon). */
const PLACEHOLDER = 'data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==';
/** Object URLs kept; images are content-addressed, so an entry never goes stale. */
const MAX_ENTRIES = 400;
const cache = new Map<string, Accessor<string>>();
const objectUrls = new Map<string, string>();

/**
 * A `src`/`href` for a server image path. Without a token it is the path itself. Signed in, an
 * `<img>` cannot send `Authorization`, so the bytes are fetched with the Bearer header and shown
 * through an object URL; the returned value is reactive (read inside JSX it updates once loaded).
 */
export function authedSrc(path: string): string {
  if (!storedToken()) return path;
  let entry = cache.get(path);
  if (!entry) {
    const [url, setUrl] = createSignal(PLACEHOLDER);
    entry = url;
    cache.set(path, url);
    void authedFetch(path)
      .then((response) => (response.ok ? response.blob() : null))
      .then((blob) => {
        if (!blob) return;
        const objectUrl = URL.createObjectURL(blob);
        objectUrls.set(path, objectUrl);
        setUrl(objectUrl);
      })
      .catch(() => cache.delete(path));
    evictOldest();
  }
  return entry();
}

function evictOldest(): void {
  while (cache.size > MAX_ENTRIES) {
    const oldest = cache.keys().next().value as string;
    cache.delete(oldest);
    const objectUrl = objectUrls.get(oldest);
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrls.delete(oldest);
  }
}
