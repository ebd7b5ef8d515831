import { decode, encode } from '@msgpack/msgpack';
import type { Runtime } from '@viwo/core';
import {
  createRpcMethods,
  defaultRpcLimits,
  dispatchRpc,
  methodTable,
  parseErrorResponse,
  type RpcLimits,
} from '@viwo/core/rpc';
import type { ServerWebSocket } from 'bun';
import { createAuthenticator, privateWhenSignedIn, unauthorized, whoami } from './auth.ts';
import { createConversationMethods } from './conversations/conversation-rpc.ts';
import { isImageExportPath, serveImageExport } from './image-export-route.ts';
import { JobQueue } from './job-queue.ts';
import { modelRpcMethods } from './model-methods.ts';
import { isLoopbackHost, originAllowed } from './origin-policy.ts';
import { queueMethods } from './queue-methods.ts';
import { runwareSettingsMethods, type ServerRpcContext } from './runware-settings.ts';
import { serveStatic } from './static-files.ts';
import { serveVideo } from './video-files.ts';
import { workerAccess } from './worker-auth.ts';

/** Options of {@link startServer}. */
export interface ServerOptions {
  runtime: Runtime;
  /** 0 picks a free port. Default 8080. */
  port?: number;
  /** Default 127.0.0.1. A non-loopback host requires `token` or at least one user. */
  host?: string;
  /**
   * Shared secret while no users exist (`Authorization: Bearer`; `?token=` on the WebSocket
   * upgrade only). Once users exist, each request needs a user token instead.
   */
  token?: string;
  /** Extra browser origins allowed to open `/rpc`. */
  allowedOrigins?: string[];
  /** Built client directory served at `/`. */
  clientDir?: string;
  /** Largest WebSocket frame accepted, in bytes (bigger frames close the socket with 1009). */
  maxFrameBytes?: number;
  /** Largest `POST /images` body, in bytes. */
  maxUploadBytes?: number;
  rpcLimits?: Partial<RpcLimits>;
  /** Queue mode: the worker token (`VIWO_WORKER_TOKEN`); see `worker-auth.ts`. */
  workerToken?: string;
  /** More `/health` fields (queue mode: queue and workers). */
  extraHealth?: () => Promise<Record<string, unknown>>;
}

/** A running server. */
export interface RunningServer {
  url: string;
  port: number;
  /** Stops accepting, cancels running jobs' connections, disposes nothing else (the caller owns the runtime). */
  stop(): Promise<void>;
}

interface SocketData {
  context: ServerRpcContext;
  /** The token the connection authenticated with (re-checked per frame: removal and rotation bite). */
  token: string | null;
  /** Answers use the frame kind of their request; notifications follow the latest request. */
  binary: boolean;
}

const HASH_PATH = /^\/images\/([0-9a-f]{64})\.png$/;

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

/**
 * Starts the Bun HTTP + WebSocket adapter: `/rpc` (JSON-RPC 2.0, JSON text frames or msgpack
 * binary frames), `GET /images/<sha256>.png`, `POST /images`, `GET /health`, and the client.
 *
 * Invariant: nothing a peer sends can crash the process — every frame is answered or refused
 * with a JSON-RPC error, and the runtime's errors never carry host stack traces.
 */
export function startServer(options: ServerOptions): RunningServer {
  const { runtime } = options;
  const host = options.host ?? '127.0.0.1';
  const loopback = isLoopbackHost(host);
  const token = options.token ?? process.env.VIWO_TOKEN;
  if (!loopback && !token && runtime.users.count() === 0) {
    throw new Error(
      `refusing to bind ${host} without a token or users: pass --token, set VIWO_TOKEN or add a user (viwo users add NAME)`,
    );
  }
  const limits: RpcLimits = { ...defaultRpcLimits, ...options.rpcLimits };
  const sockets = new Set<ServerWebSocket<SocketData>>();
  // The generation queue (survives restarts); its notifications go to the principal's sockets.
  const queue = new JobQueue(runtime, (principalId, method, params) => {
    for (const socket of sockets)
      if (socket.data.context.session.principal.id === principalId)
        send(socket, { jsonrpc: '2.0', method, params }, socket.data.binary);
  });
  const methods = methodTable<ServerRpcContext>({
    ...createRpcMethods(),
    ...modelRpcMethods(),
    ...createConversationMethods(),
    ...runwareSettingsMethods(),
    ...queueMethods(queue),
  });
  const maxFrameBytes = options.maxFrameBytes ?? 16 * 1024 * 1024;
  let boundPort = options.port ?? 8080;

  const auth = createAuthenticator({ runtime, loopback, ...(token ? { token } : {}) });

  const send = (socket: ServerWebSocket<SocketData>, message: unknown, binary: boolean) => {
    if (socket.readyState !== 1) return;
    if (binary) socket.sendBinary(encode(message));
    else socket.sendText(JSON.stringify(message));
  };

  const server = Bun.serve<SocketData>({
    port: boundPort,
    hostname: host,
    maxRequestBodySize: options.maxUploadBytes ?? 64 * 1024 * 1024,
    async fetch(request, bunServer) {
      const url = new URL(request.url);
      const worker = workerAccess(request, bunServer.requestIP(request)?.address, {
        ...(options.workerToken ? { workerToken: options.workerToken } : {}),
        ...(token ? { serverToken: token } : {}),
        // Once users exist every request needs a token: loopback workers then need theirs too.
        clientAuthRequired: runtime.users.count() > 0,
      });
      if (worker.kind === 'denied') return json({ error: worker.reason }, 401);
      if (worker.kind === 'worker') return workerRoute(runtime, request, url);
      if (url.pathname === '/rpc') {
        if (
          !originAllowed(request.headers.get('origin'), {
            host,
            port: boundPort,
            allowedOrigins: options.allowedOrigins ?? [],
          })
        ) {
          return json({ error: 'origin not allowed' }, 403);
        }
        const who = auth.authenticate(request, url, true);
        if (!who.ok) return unauthorized(who.message);
        const session = runtime.openSession(who.principal);
        const peer = bunServer.requestIP(request)?.address;
        const data: SocketData = {
          context: { runtime, session, limits, runningJobs: 0, owner: isLoopbackAddress(peer) },
          token: who.token,
          binary: false,
        };
        if (bunServer.upgrade(request, { data })) return undefined;
        session.close();
        return json({ error: 'expected a WebSocket upgrade' }, 426);
      }
      if (url.pathname === '/health' && request.method === 'GET') {
        return json({ ...runtime.health(), ...(await options.extraHealth?.()) });
      }
      if (url.pathname === '/whoami' && request.method === 'GET') {
        const who = auth.authenticate(request, url, false);
        return who.ok ? whoami(who.principal, runtime) : unauthorized(who.message);
      }
      if (url.pathname === '/images' && request.method === 'POST') {
        const who = auth.authenticate(request, url, false);
        if (!who.ok) return unauthorized(who.message);
        return uploadImage(runtime, request);
      }
      if (url.pathname.startsWith('/videos/') && request.method === 'GET') {
        const who = auth.authenticate(request, url, false);
        if (!who.ok) return unauthorized(who.message);
        return privateWhenSignedIn(
          await serveVideo(runtime.dataDir, url.pathname),
          who.token !== null,
        );
      }
      if (url.pathname.startsWith('/images/') && request.method === 'GET') {
        const who = auth.authenticate(request, url, false);
        if (!who.ok) return unauthorized(who.message);
        const image = isImageExportPath(url.pathname)
          ? await serveImageExport(runtime, url)
          : await serveImage(runtime, url.pathname);
        return privateWhenSignedIn(image, who.token !== null);
      }
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return json({ error: 'not found' }, 404);
      return serveStatic(
        options.clientDir ?? new URL('../../imagegen/dist', import.meta.url).pathname,
        url.pathname,
        request.headers.get('accept-encoding'),
      );
    },
    websocket: {
      maxPayloadLength: maxFrameBytes,
      idleTimeout: 0,
      open(socket) {
        sockets.add(socket);
        socket.data.context.session.setNotifier((method, params) => {
          send(socket, { jsonrpc: '2.0', method, params }, socket.data.binary);
        });
      },
      async message(socket, raw) {
        const binary = typeof raw !== 'string';
        socket.data.binary = binary;
        if (!auth.stillValid(socket.data.context.session.principal, socket.data.token)) {
          socket.close(1008, 'signed out: the user was removed or its token replaced');
          return;
        }
        let message: unknown;
        try {
          message = binary ? decode(raw) : JSON.parse(raw);
        } catch (error) {
          send(socket, parseErrorResponse((error as Error).message), binary);
          return;
        }
        const answer = await dispatchRpc(message, methods, socket.data.context);
        if (answer !== null) send(socket, answer, binary);
      },
      close(socket) {
        sockets.delete(socket);
        // Jobs keep running after a disconnect; their results land in history.
        socket.data.context.session.close();
      },
    },
    error(error) {
      return json({ error: `internal error: ${error.message}` }, 500);
    },
  });
  boundPort = server.port ?? boundPort;
  const shownHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${boundPort}`,
    port: boundPort,
    async stop() {
      queue.stop();
      server.stop(true);
      for (const socket of sockets) socket.close(1001, 'server shutting down');
    },
  };
}

/** Whether a peer address is the loopback interface (IPv4, IPv6, or IPv4-mapped IPv6). */
function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}

/** What an authenticated queue worker may do: read images and store results verbatim. */
async function workerRoute(runtime: Runtime, request: Request, url: URL): Promise<Response> {
  if (url.pathname === '/images' && request.method === 'POST') {
    return uploadImage(runtime, request, true);
  }
  if (url.pathname.startsWith('/images/') && request.method === 'GET') {
    return serveImage(runtime, url.pathname);
  }
  return json({ error: 'queue workers may only read and write images' }, 403);
}

async function uploadImage(
  runtime: Runtime,
  request: Request,
  verbatim = false,
): Promise<Response> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await request.arrayBuffer());
  } catch {
    return json({ error: 'upload too large or unreadable' }, 413);
  }
  if (bytes.length === 0) return json({ error: 'empty body: send PNG, JPEG or WebP bytes' }, 400);
  try {
    // A worker's results keep their bytes (text chunks included) so they hash as in-process.
    return json(
      await (verbatim ? runtime.images.putPngVerbatim(bytes) : runtime.images.putEncoded(bytes)),
    );
  } catch (error) {
    return json({ error: (error as Error).message }, 400);
  }
}

async function serveImage(runtime: Runtime, pathname: string): Promise<Response> {
  const match = HASH_PATH.exec(pathname);
  if (!match) return json({ error: 'image paths are /images/<64 hex sha256>.png' }, 400);
  const hash = match[1]!;
  if (!(await runtime.images.has(hash))) return json({ error: `no image ${hash}` }, 404);
  const png = await runtime.images.getPng(hash);
  return new Response(Buffer.from(png), {
    headers: {
      'content-type': 'image/png',
      'cache-control': 'public, max-age=31536000, immutable',
      etag: `"${hash}"`,
    },
  });
}
