/** Names that mean "this machine" in a URL or Host header: exact matches only, never a prefix. */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** A numeric IPv4 loopback address (127.0.0.0/8), e.g. a bind address `127.0.0.2`. */
const IPV4_LOOPBACK = /^127(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** True when a bind address only accepts local connections. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || IPV4_LOOPBACK.test(host);
}

/** Who may open the RPC WebSocket and call HTTP routes. */
export interface OriginPolicy {
  /** The server's own bind host and port. */
  host: string;
  port: number;
  /** Extra origins allowed verbatim (e.g. a dev server at http://localhost:5173). */
  allowedOrigins: readonly string[];
}

/** The bind host as it appears in a URL (IPv6 in brackets). */
function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Host names a browser may use to reach this server: the bind host, loopback names on loopback. */
function ownHostNames(policy: OriginPolicy): Set<string> {
  const names = new Set([urlHost(policy.host).toLowerCase()]);
  if (isLoopbackHost(policy.host))
    for (const name of ['localhost', '127.0.0.1', '[::1]']) names.add(name);
  return names;
}

/**
 * Decides whether a request's Origin may drive this server.
 *
 * Invariant: a browser page served from anywhere but this server (exact host and port) or an
 * explicitly allowed origin cannot connect, so a web page elsewhere cannot drive a local server —
 * `127.attacker.example` is not loopback. Requests without an Origin (CLI tools, tests, workers)
 * are not browsers and are accepted; authentication for non-loopback binds is the token's job.
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
  return ownHostNames(policy).has(url.hostname.toLowerCase());
}

/**
 * Decides whether a request's Host header names this server (DNS rebinding defence): on a
 * loopback bind only loopback names with this port, or the host of an allowed origin. A server
 * bound to another address (which requires a token) accepts any Host.
 */
export function hostAllowed(hostHeader: string | null, policy: OriginPolicy): boolean {
  if (!isLoopbackHost(policy.host)) return true;
  if (hostHeader === null || hostHeader === '') return false;
  const value = hostHeader.toLowerCase();
  for (const origin of policy.allowedOrigins) {
    try {
      if (new URL(origin).host.toLowerCase() === value) return true;
    } catch {
      // An unparsable configured origin allows nothing.
    }
  }
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d+))?$/.exec(value);
  if (!match) return false;
  const port = match[2] === undefined ? 80 : Number(match[2]);
  return port === policy.port && ownHostNames(policy).has(match[1]!);
}
