import type { UserQuota, WhoAmIResponse } from '@viwo/protocol';

/** Where the signed-in user's token lives in the browser (survives reloads, per origin). */
const TOKEN_KEY = 'viwo.token';

/** The stored user token, or null when not signed in (or the server needs none). */
export function storedToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** Stores (or with null, forgets) the user token. */
export function storeToken(token: string | null): void {
  if (token === null) localStorage.removeItem(TOKEN_KEY);
  else localStorage.setItem(TOKEN_KEY, token);
}

/**
 * A token handed over in the page URL (`/?token=…`, e.g. a link printed for a user) is moved to
 * storage and removed from the address bar, so it is not left in history or shared by copying
 * the URL. Returns whether one was adopted.
 */
export function adoptTokenFromUrl(location: Location, history: History): boolean {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (!token) return false;
  storeToken(token);
  url.searchParams.delete('token');
  history.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash}`);
  return true;
}

/** `fetch` with `Authorization: Bearer <token>` when signed in (the server's HTTP routes want it). */
export function authedFetch(input: string, init: RequestInit = {}): Promise<Response> {
  const token = storedToken();
  if (!token) return fetch(input, init);
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

/** A signed-in user's compute quota (megapixel-steps; null: unlimited) and today's spend. */
export type AccountQuota = UserQuota;

/** Who the server says we are (`GET /whoami`). */
export type WhoAmI =
  | {
      status: 'signed-in';
      user: { name: string; admin: boolean; quota?: AccountQuota } | null;
    }
  | { status: 'sign-in-required'; message: string }
  | { status: 'unreachable'; message: string };

/** Asks the server who the stored token (if any) belongs to. */
export async function whoAmI(): Promise<WhoAmI> {
  let response: Response;
  try {
    response = await authedFetch('/whoami', { cache: 'no-store' });
  } catch (error) {
    return { status: 'unreachable', message: (error as Error).message };
  }
  if (response.status === 401) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    return { status: 'sign-in-required', message: body.error ?? 'sign-in required' };
  }
  if (!response.ok) return { status: 'unreachable', message: `HTTP ${response.status}` };
  const body = (await response.json()) as WhoAmIResponse;
  const user = body.user && (body.quota ? { ...body.user, quota: body.quota } : body.user);
  return { status: 'signed-in', user };
}
