import type {
  RpcMethodName,
  RpcNotificationName,
  RpcNotifications,
  RpcParamsArgument,
  RpcResult,
  ScriptErrorData,
} from '@viwo/protocol';

/**
 * The JSON-RPC connection as panels use it: typed requests, plus notifications and connection
 * states when the connection offers them ({@link RpcClient} does; test doubles may not).
 */
export interface RpcLike {
  call<M extends RpcMethodName>(method: M, ...args: RpcParamsArgument<M>): Promise<RpcResult<M>>;
  /** Subscribes to connection state changes (`open` after every (re)connect). */
  onState?(handler: (state: ConnectionState) => void): () => void;
  /** Subscribes to a server notification; returns the unsubscribe function. */
  on?<N extends RpcNotificationName>(
    method: N,
    handler: (params: RpcNotifications[N]) => void,
  ): () => void;
}

/** Connection states shown in the header. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A JSON-RPC error response, thrown by `call`. */
export class RpcCallError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: Partial<ScriptErrorData>,
  ) {
    super(message);
    this.name = 'RpcCallError';
  }
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Options of {@link RpcClient}. */
export interface RpcClientOptions {
  /** Request timeout in ms (generation can be slow; default 10 minutes). */
  timeoutMs?: number;
  /** First reconnect delay; doubles up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Injected for tests (Bun and browsers both have a global WebSocket). */
  WebSocketImpl?: typeof WebSocket;
}

/**
 * JSON-RPC 2.0 over a WebSocket that reconnects by itself.
 *
 * Invariants: every request settles (result, error response, timeout, or connection loss — never
 * a silent hang); notifications reach every subscriber of their method; state changes are
 * announced so the UI can show them.
 */
export class RpcClient implements RpcLike {
  private socket: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(params: unknown) => void>>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private backoff: number;
  private stopped = false;
  state: ConnectionState = 'connecting';

  constructor(
    private readonly url: string,
    private readonly options: RpcClientOptions = {},
  ) {
    this.backoff = options.backoffMs ?? 250;
    this.connect();
  }

  /**
   * Sends a request; rejects with RpcCallError for error responses. Method, params and result are
   * typed from the protocol map, so a wrong name or param shape fails to compile.
   */
  call<M extends RpcMethodName>(method: M, ...args: RpcParamsArgument<M>): Promise<RpcResult<M>> {
    const [params] = args;
    return new Promise<RpcResult<M>>((resolve, reject) => {
      if (this.socket?.readyState !== 1) {
        reject(new Error(`not connected (${this.state}); try again when the connection is back`));
        return;
      }
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} timed out`));
      }, this.options.timeoutMs ?? 600_000);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.socket.send(
        JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }),
      );
    });
  }

  /** Subscribes to a server notification; returns the unsubscribe function. */
  on<N extends RpcNotificationName>(
    method: N,
    handler: (params: RpcNotifications[N]) => void,
  ): () => void {
    let set = this.listeners.get(method);
    if (!set) {
      set = new Set();
      this.listeners.set(method, set);
    }
    // The server is the only sender and the protocol map types its notifications.
    const listener = handler as (params: unknown) => void;
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Subscribes to connection state changes. */
  onState(handler: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(handler);
    return () => this.stateListeners.delete(handler);
  }

  close(): void {
    this.stopped = true;
    this.socket?.close();
    this.setState('closed');
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private connect(): void {
    const Impl = this.options.WebSocketImpl ?? WebSocket;
    const socket = new Impl(this.url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.backoff = this.options.backoffMs ?? 250;
      this.setState('open');
    });
    socket.addEventListener('message', (event) => this.receive(String(event.data)));
    socket.addEventListener('close', () => {
      for (const [id, pending] of this.pending) {
        clearTimeout(pending.timer);
        pending.reject(new Error('connection lost before the server answered'));
        this.pending.delete(id);
      }
      if (this.stopped) return;
      // After the first failed attempt the client is retrying, whether or not it was ever
      // connected (an offline shell opened from the service worker says "Reconnecting…").
      this.setState('reconnecting');
      setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, this.options.maxBackoffMs ?? 5000);
    });
  }

  private receive(text: string): void {
    let message: {
      id?: number;
      method?: string;
      params?: unknown;
      result?: unknown;
      error?: { code: number; message: string; data?: RpcCallError['data'] };
    };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof message.method === 'string') {
      for (const handler of this.listeners.get(message.method) ?? []) handler(message.params);
      return;
    }
    const pending = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
    if (!pending) return;
    this.pending.delete(message.id as number);
    clearTimeout(pending.timer);
    if (message.error) {
      const detail = message.error.data?.message ?? message.error.message;
      pending.reject(new RpcCallError(message.error.code, detail, message.error.data));
    } else pending.resolve(message.result);
  }
}

/**
 * The server's `/rpc` URL for the page's own origin. The user token rides as `?token=` because a
 * browser cannot set headers on a WebSocket upgrade (the server accepts the query only there).
 */
export function defaultRpcUrl(location: Location, signedIn?: string | null): string {
  const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = signedIn ?? new URLSearchParams(location.search).get('token');
  return `${protocol}//${location.host}/rpc${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}
