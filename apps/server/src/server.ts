import { decode } from '@msgpack/msgpack';
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
import { rerunInterruptedJobs } from './interrupted-reruns.ts';
import { JobQueue } from './job-queue.ts';
import { modelRpcMethods } from './model-methods.ts';

import { isLoopbackHost } from './origin-policy.ts';
import { outputsSettingsMethods } from './outputs/outputs-settings.ts';
import { attachOutputsWriter } from './outputs/outputs-writer.ts';
import { queueMethods } from './queue-methods.ts';
import { defaultReplyLimits, ReplyChannel, type ReplyLimits } from './reply-channel.ts';
import { refuseRequest } from './request-guard.ts';

import { runwareSettingsMethods, type ServerRpcContext } from './runware-settings.ts';
import { withSecurityHeaders } from './security-headers.ts';
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
  /** Reply size and slow-reader buffer bounds per connection. */
  replyLimits?: Partial<ReplyLimits>;
  /** Most WebSocket connections open at once (default 64); more are refused with 503. */
  maxConnections?: number;
  /** Most requests in one JSON-RPC batch (default 100). */
  maxBatch?: number;
  /** Queue mode: the worker token (`VIWO_WORKER_TOKEN`); see `worker-auth.ts`. */
  workerToken?: string;
  /** More `/health` fields (queue mode: queue and workers). */
  extraHealth?: () => Promise<Record<string, unknown>>;
}

/** A running server. */
export interface RunningServer {
  url: string;
  port: number;
  /** WebSocket connections open now. */
  connections(): number;
  /** Stops accepting, cancels running jobs' connections, disposes nothing else (the caller owns the runtime). */
  stop(): Promise<void>;
}

interface SocketData {
  context: ServerRpcContext;
  /** The token the connection authenticated with (re-checked per frame: removal and rotation bite). */
  token: string | null;
  /** Answers use the frame kind of their request; notifications follow the latest request. */
  binary: boolean;
  /** Outgoing side: wire-safe values, size limits, backpressure. */
  channel?: ReplyChannel;
}

const HASH_PATH = /^\/images\/([0-9a-f]{64})\.png$/;

function json(body: unknown, status = 200): Response {
  return withSecurityHeaders(
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    }),
  );
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
  // The generation queue (survives restarts); it says which sockets hear which notification.
  const queue = new JobQueue(runtime, (method, paramsFor) => {
    for (const socket of sockets) {
      const params = paramsFor(socket.data.context.session.principal);
      if (params) channelOf(socket).notify(method, params, socket.data.binary);
    }
  });
  const methods = methodTable<ServerRpcContext>({
    ...createRpcMethods(),
    ...modelRpcMethods(),
    ...createConversationMethods(),
    ...runwareSettingsMethods(),
    ...outputsSettingsMethods(),
    ...queueMethods(queue),
  });
  rerunInterruptedJobs(runtime, queue, (line) => console.log(`queue: ${line}`));
  const detachOutputs = attachOutputsWriter(runtime);
  const maxFrameBytes = options.maxFrameBytes ?? 16 * 1024 * 1024;
  let boundPort = options.port ?? 8080;
  const replyLimits: ReplyLimits = { ...defaultReplyLimits, ...options.replyLimits };
  const maxConnections = options.maxConnections ?? 64;

  const auth = createAuthenticator({ runtime, loopback, ...(token ? { token } : {}) });

  const channelOf = (socket: ServerWebSocket<SocketData>): ReplyChannel => {
    socket.data.channel ??= new ReplyChannel(socket, replyLimits);
    return socket.data.channel;
  };

  const server = Bun.serve<SocketData>({
    port: boundPort,
    hostname: host,
    maxRequestBodySize: options.maxUploadBytes ?? 64 * 1024 * 1024,
    async fetch(request, bunServer) {
      const url = new URL(request.url);
      const refusal = refuseRequest(request, {
        host,
        port: boundPort,
        allowedOrigins: options.allowedOrigins ?? [],
      });
      if (refusal) return json({ error: refusal.error }, refusal.status);
      const worker = workerAccess(request, bunServer.requestIP(request)?.address, {
        ...(options.workerToken ? { workerToken: options.workerToken } : {}),
        ...(token ? { serverToken: token } : {}),
        // Once users exist every request needs a token: loopback workers then need theirs too.
        clientAuthRequired: runtime.users.count() > 0,
      });
      if (worker.kind === 'denied') return json({ error: worker.reason }, 401);
      if (worker.kind === 'worker') return workerRoute(runtime, request, url);
      if (url.pathname === '/rpc') {
        const who = auth.authenticate(request, url, true);
        if (!who.ok) return withSecurityHeaders(unauthorized(who.message));
        if (sockets.size >= maxConnections) {
          return json({ error: `too many connections (at most ${maxConnections})` }, 503);
        }
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
        return json({ ...(await healthReport(runtime)), ...(await options.extraHealth?.()) });
      }
      if (url.pathname === '/whoami' && request.method === 'GET') {
        const who = auth.authenticate(request, url, false);
        return withSecurityHeaders(
          who.ok ? whoami(who.principal, runtime) : unauthorized(who.message),
        );
      }
      if (url.pathname === '/images' && request.method === 'POST') {
        const who = auth.authenticate(request, url, false);
        if (!who.ok) return withSecurityHeaders(unauthorized(who.message));
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
        if (!who.ok) return withSecurityHeaders(unauthorized(who.message));
        const image = isImageExportPath(url.pathname)
          ? await serveImageExport(runtime, url)
          : await serveImage(runtime, url.pathname);
        return withSecurityHeaders(privateWhenSignedIn(image, who.token !== null));
      }
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return json({ error: 'not found' }, 404);
      return withSecurityHeaders(
        serveStatic(
          options.clientDir ?? new URL('../../imagegen/dist', import.meta.url).pathname,
          url.pathname,
          request.headers.get('accept-encoding'),
        ),
      );
    },
    websocket: {
      maxPayloadLength: maxFrameBytes,
      // Room for one whole reply past a full buffer; ReplyChannel queues the rest (bounded).
      backpressureLimit: replyLimits.maxReplyBytes * 2,
      idleTimeout: 0,
      open(socket) {
        sockets.add(socket);
        socket.data.context.session.setNotifier((method, params) => {
          channelOf(socket).notify(method, params, socket.data.binary);
        });
      },
      drain(socket) {
        channelOf(socket).drain();
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
          channelOf(socket).reply(parseErrorResponse((error as Error).message), binary);
          return;
        }
        const answer = await dispatchRpc(message, methods, socket.data.context, {
          maxBatch: options.maxBatch,
        });
        if (answer !== null) channelOf(socket).reply(answer, binary);
      },
      close(socket) {
        sockets.delete(socket);
        // Jobs keep running after a disconnect; their results land in history.
        socket.data.context.session.close();
      },
    },
    error() {
      // Host error text can name files and paths: it stays in the server, the client gets a code.
      return json({ error: 'internal error' }, 500);
    },
  });
  boundPort = server.port ?? boundPort;
  const shownHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${boundPort}`,
    port: boundPort,
    connections: () => sockets.size,
    async stop() {
      detachOutputs();
      queue.stop();
      server.stop(true);
      for (const socket of sockets) socket.close(1001, 'server shutting down');
    },
  };
}

/** `GET /health`: the runtime's report plus whether the image store can be written now. */
async function healthReport(runtime: Runtime): Promise<Record<string, unknown>> {
  const report = runtime.health();
  const storage = await runtime.images.storageHealth();
  return { ...report, status: storage.status === 'ok' ? report.status : 'degraded', storage };
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
    // The store's own failures (disk full) are the server's fault; everything else is the upload's.
    const code = (error as { code?: unknown }).code;
    return json({ error: (error as Error).message }, code === 'InternalError' ? 500 : 400);
  }
}

async function serveImage(runtime: Runtime, pathname: string): Promise<Response> {
  const match = HASH_PATH.exec(pathname);
  if (!match) return json({ error: 'image paths are /images/<64 hex sha256>.png' }, 400);
  const hash = match[1]!;
  if (!(await runtime.images.has(hash))) return json({ error: `no image ${hash}` }, 404);
  const png = await runtime.images.getPng(hash);
  return withSecurityHeaders(
    new Response(Buffer.from(png), {
      headers: {
        'content-type': 'image/png',
        'cache-control': 'public, max-age=31536000, immutable',
        etag: `"${hash}"`,
      },
    }),
  );
}
