/**
 * Headers every HTTP response carries: no MIME sniffing, no framing by other sites (CSP
 * `frame-ancestors 'none'` plus the legacy X-Frame-Options), no referrer leaking image hashes or
 * tokens, and resources readable by this origin only (`Cross-Origin-Resource-Policy`), so a page
 * elsewhere cannot embed or read our images.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

/** Adds {@link SECURITY_HEADERS} to a response (in place when its headers are mutable). */
export function withSecurityHeaders(response: Response): Response {
  try {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
    return response;
  } catch {
    // Immutable headers (a response we did not build): copy it with ours added.
    const headers = new Headers(response.headers);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }
}
