import { hostAllowed, type OriginPolicy, originAllowed } from './origin-policy.ts';

/** Why a request is refused before routing, or null when it may proceed. */
export interface Refusal {
  status: number;
  error: string;
}

/**
 * The checks every route gets before it runs: the Host header must name this server (DNS
 * rebinding), and a browser's Origin must be this server or a configured origin — for the
 * WebSocket upgrade and for every other route, so a cross-site form post to `POST /images` is
 * refused too. Requests without an Origin (CLI, workers, tests) pass the Origin check.
 */
export function refuseRequest(request: Request, policy: OriginPolicy): Refusal | null {
  if (!hostAllowed(request.headers.get('host'), policy)) {
    return {
      status: 403,
      error: 'host not allowed: use localhost, 127.0.0.1 or [::1] with this port',
    };
  }
  if (!originAllowed(request.headers.get('origin'), policy)) {
    return { status: 403, error: 'origin not allowed' };
  }
  return null;
}
