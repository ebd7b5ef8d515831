/**
 * A protocol-faithful stand-in for the Hugging Face hub, as the model puller uses it: the
 * recursive tree listing (`/api/models/<repo>/tree/main`, each file with size and git blob oid)
 * and `resolve/main/<path>` downloads. It serves a tiny SD 1.5 export in hub layout. Shared by the
 * server and browser model-pull tests so both exercise the same hub.
 */
import { createHash } from 'node:crypto';
import { tinySdModelFiles } from '@viwo/plugin-diffusers';

/** The repository the stand-in serves. */
export const HUB_REPO = 'acme/tiny-real';

/** Options of {@link startHubStandIn}. */
export interface HubStandInOptions {
  /** Seed of the random tiny weights (different seeds give different file hashes). */
  seed: number;
  /**
   * Answers a download in place of the plain file (e.g. to stall mid-transfer); `undefined`
   * serves the file whole.
   */
  respond?: (path: string, content: Uint8Array) => Response | undefined;
}

/** A running stand-in hub. */
export interface HubStandIn {
  /** The base URL, to put in `HF_ENDPOINT`. */
  url: string;
  /** The repository's files by path. */
  files: Record<string, Uint8Array>;
  stop(): void;
}

/** The repository files of a tiny SD 1.5 in hub layout (no viwo manifest: the puller writes it). */
export function hubRepositoryFiles(seed: number): Record<string, Uint8Array> {
  return Object.fromEntries(
    Object.entries(tinySdModelFiles('sd15', { seed }))
      .filter(([path]) => path !== 'viwo-model.json')
      .map(([path, content]) => [
        path,
        typeof content === 'string' ? new TextEncoder().encode(content) : new Uint8Array(content),
      ]),
  );
}

/** The git blob id the hub reports as a file's `oid`. */
function gitBlobId(content: Uint8Array): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/** Starts the stand-in on a free loopback port. */
export function startHubStandIn(options: HubStandInOptions): HubStandIn {
  const files = hubRepositoryFiles(options.seed);
  const prefix = `/${HUB_REPO}/resolve/main/`;
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch(request) {
      const url = new URL(request.url);
      if (url.pathname === `/api/models/${HUB_REPO}/tree/main`) {
        return Response.json(
          Object.entries(files).map(([path, content]) => ({
            type: 'file',
            path,
            size: content.length,
            oid: gitBlobId(content),
          })),
        );
      }
      const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : '';
      const content = files[path];
      if (!content) return new Response('not found', { status: 404 });
      return options.respond?.(path, content) ?? new Response(Buffer.from(content));
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, files, stop: () => server.stop(true) };
}
