import type { RunwareItem } from '../client/runware-messages.ts';
import { RunwarePluginError } from '../errors.ts';

/** Runware's media hosts: images (`im.`) and videos (`vm.`) are served from these over HTTPS. */
export const RUNWARE_MEDIA_HOSTS: readonly string[] = ['im.runware.ai', 'vm.runware.ai'];

/** Where result bytes may come from and how many there may be. */
export interface FetchPolicy {
  /** The WebSocket endpoint; its own host (same port) may serve result URLs. */
  endpoint: string;
  /** Largest result accepted, in bytes (decoded). */
  maxBytes: number;
  signal: AbortSignal;
}

/**
 * The bytes of one result item, from whichever form the task's `outputType` produced:
 * `<kind>Base64Data`, `<kind>DataURI` or `<kind>URL`. A URL is fetched only from the endpoint's
 * own host or Runware's media hosts, without following redirects, and never past `maxBytes`.
 */
export async function resultBytes(
  item: RunwareItem,
  kind: 'image' | 'video',
  policy: FetchPolicy,
): Promise<Uint8Array> {
  const base64 = item[`${kind}Base64Data`];
  if (typeof base64 === 'string') return decodeBase64(base64, policy.maxBytes);
  const dataUri = item[`${kind}DataURI`];
  if (typeof dataUri === 'string') {
    const match = /^data:[a-z]+\/[a-z0-9.+-]+;base64,/i.exec(dataUri);
    if (!match) throw bad(`the ${kind}DataURI is not a base64 data URI`);
    return decodeBase64(dataUri.slice(match[0].length), policy.maxBytes);
  }
  const url = item[`${kind}URL`] ?? item.mediaURL;
  if (typeof url === 'string') return fetchAllowed(url, policy);
  throw bad(`the answer has no ${kind} (${kind}URL, ${kind}Base64Data or ${kind}DataURI)`);
}

/** Whether a result URL may be fetched under a policy (exported for tests). */
export function urlAllowed(raw: string, endpoint: string): boolean {
  let url: URL;
  let origin: URL;
  try {
    url = new URL(raw);
    origin = new URL(endpoint);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'https:' && RUNWARE_MEDIA_HOSTS.includes(url.hostname) && !url.port) {
    return true;
  }
  const httpOfEndpoint = origin.protocol === 'wss:' ? 'https:' : 'http:';
  return url.protocol === httpOfEndpoint && url.host === origin.host;
}

async function fetchAllowed(raw: string, policy: FetchPolicy): Promise<Uint8Array> {
  if (!urlAllowed(raw, policy.endpoint)) {
    const host = safeHost(raw);
    throw bad(
      `refused to fetch a result from ${host}: only the endpoint's host and ${RUNWARE_MEDIA_HOSTS.join(', ')} are trusted`,
    );
  }
  let response: Response;
  try {
    response = await fetch(raw, { redirect: 'error', signal: policy.signal });
  } catch (error) {
    if (policy.signal.aborted) throw policy.signal.reason;
    throw bad(`could not download the result from ${safeHost(raw)}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    throw bad(`downloading the result from ${safeHost(raw)} answered HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > policy.maxBytes) {
    await response.body?.cancel();
    throw tooLarge(declared, policy.maxBytes);
  }
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > policy.maxBytes) {
      await reader.cancel();
      throw tooLarge(total, policy.maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

function decodeBase64(text: string, maxBytes: number): Uint8Array {
  const estimated = Math.floor((text.length * 3) / 4);
  if (estimated > maxBytes) throw tooLarge(estimated, maxBytes);
  // No character check here: Buffer skips what is not base64, and the decoded bytes are checked
  // as an image (signature, CRCs, full decode) before anything is stored.
  return new Uint8Array(Buffer.from(text, 'base64'));
}

function safeHost(raw: string): string {
  try {
    return new URL(raw).host || 'an unknown host';
  } catch {
    return 'an invalid URL';
  }
}

function tooLarge(bytes: number, maxBytes: number): RunwarePluginError {
  return bad(`the result is ${bytes} bytes, over the ${maxBytes}-byte limit`);
}

function bad(message: string): RunwarePluginError {
  return new RunwarePluginError('bad-response', `Runware answered badly: ${message}`);
}
