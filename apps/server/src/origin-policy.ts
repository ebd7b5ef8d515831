/** Hosts that mean "this machine". */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True when a bind address only accepts local connections. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
}

/** Who may open the RPC WebSocket. */
export interface OriginPolicy {
  /** The server's own bind host and port. */
  host: string;
  port: number;
  /** Extra origins allowed verbatim (e.g. a dev server at http://localhost:5173). */
  allowedOrigins: readonly string[];
}

/**
 * Decides whether a WebSocket upgrade's Origin may drive this server.
 *
 * Invariant: a browser page served from anywhere but this server (or an explicitly allowed
 * origin) cannot connect, so a web page elsewhere cannot drive a local server. Requests without
 * an Origin (CLI tools, tests) are not browsers and are accepted; authentication for non-loopback
 * binds is the token's job.
 */
export function originAllowed(origin: string | null, policy: OriginPolicy): boolean {
  if (origin === null || origin === '') return true;
  if (policy.allowedOrigins.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (port !== policy.port) return false;
  if (url.hostname === policy.host || `[${url.hostname}]` === policy.host) return true;
  // localhost and 127.0.0.1 name the same loopback server.
  return isLoopbackHost(policy.host) && isLoopbackHost(url.hostname);
}
