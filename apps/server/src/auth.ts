import { createHash, timingSafeEqual } from 'node:crypto';
import type { Principal, Runtime } from '@viwo/core';
import type { WhoAmIResponse } from '@viwo/protocol';

/** Who a request acts as, or why it is refused. */
export type AuthResult =
  | { ok: true; principal: Principal; token: string | null }
  | { ok: false; message: string };

/** Options of {@link createAuthenticator}. */
export interface AuthOptions {
  runtime: Runtime;
  /** Shared secret (`--token` / `VIWO_TOKEN`), used only while no users exist. */
  token?: string;
  /** Whether the server is bound to loopback only. */
  loopback: boolean;
}

/** Decides who each HTTP request or WebSocket upgrade is. */
export interface Authenticator {
  /**
   * The principal of a request. `websocket` allows `?token=` (browsers cannot set headers on an
   * upgrade); every other route reads only `Authorization: Bearer`.
   */
  authenticate(request: Request, url: URL, websocket: boolean): AuthResult;
  /** Whether a session's token still names its user (removed users and rotated tokens stop). */
  stillValid(principal: Principal, token: string | null): boolean;
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), if any. */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get('authorization');
  if (!header) return null;
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/**
 * Compares two secrets in constant time. Both sides are hashed first, so neither the content nor
 * the length of the expected secret leaks through timing.
 */
export function secretsEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * Authentication for the server. While at least one user exists, every request needs a user
 * token and acts as that user (owner scope, admin flag, compute quota); the user count is read
 * per request, so `viwo users add` on a running server takes effect at once. With no users, a
 * loopback server needs nothing and a shared `token` (if set) guards it, as before users existed.
 *
 * Invariant: a non-loopback server without users and without a shared token refuses everything
 * (removing the last user never opens a public server).
 */
export function createAuthenticator(options: AuthOptions): Authenticator {
  const { runtime, token: shared, loopback } = options;
  const local: Principal = { id: 'local', local: true };
  return {
    authenticate(request, url, websocket) {
      const presented =
        bearerToken(request) ?? (websocket ? url.searchParams.get('token') || null : null);
      if (runtime.users.count() > 0) {
        if (presented === null) {
          return { ok: false, message: 'sign-in required: send Authorization: Bearer <token>' };
        }
        const user = runtime.users.authenticate(presented);
        if (!user) return { ok: false, message: 'unknown or revoked token' };
        return { ok: true, principal: runtime.userPrincipal(user), token: presented };
      }
      if (shared) {
        if (presented === null || !secretsEqual(presented, shared)) {
          return { ok: false, message: 'token required' };
        }
        return { ok: true, principal: local, token: presented };
      }
      if (!loopback) return { ok: false, message: 'this server has no users and no token' };
      return { ok: true, principal: local, token: null };
    },
    stillValid(principal, token) {
      if (!principal.user) return true;
      if (token === null) return false;
      return runtime.users.authenticate(token)?.id === principal.user.id;
    },
  };
}

/**
 * An image answered to a request that carried a token: `private` and varying on `Authorization`,
 * or a browser (or proxy) cache would hand it to a later request without the token.
 */
export function privateWhenSignedIn(response: Response, signedIn: boolean): Response {
  if (!signedIn) return response;
  const cacheControl = response.headers.get('cache-control');
  if (cacheControl)
    response.headers.set('cache-control', cacheControl.replace('public', 'private'));
  response.headers.append('vary', 'Authorization');
  return response;
}

/** The 401 answer, telling clients how to authenticate. */
export function unauthorized(message: string): Response {
  return new Response(JSON.stringify({ error: message }), {
    status: 401,
    headers: {
      'content-type': 'application/json',
      'www-authenticate': 'Bearer realm="viwo"',
    },
  });
}

/**
 * `GET /whoami`: who the bearer is (`user` null without users), whether the server has users (so
 * the client can tell "sign in" from "connected" before opening the WebSocket), and a signed-in
 * user's compute quota with today's spend.
 */
export function whoami(principal: Principal, runtime: Runtime): Response {
  const user = principal.user ? runtime.users.byId(principal.user.id) : undefined;
  const body: WhoAmIResponse = {
    user: user ? { name: user.name, admin: user.admin } : null,
    users: runtime.users.count() > 0,
  };
  if (user) {
    body.quota = {
      max_compute_per_job: user.maxComputePerJob ?? null,
      max_compute_per_day: user.maxComputePerDay ?? null,
      compute_today: user.computeToday,
    };
  }
  return new Response(JSON.stringify(body), {
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
}
