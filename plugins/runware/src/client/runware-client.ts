import { randomUUID } from 'node:crypto';
import {
  missingKeyError,
  RunwarePluginError,
  rejectedKeyError,
  taskRefusedError,
} from '../errors.ts';
import {
  isPong,
  MalformedMessageError,
  parseRunwareMessage,
  type RunwareErrorItem,
  type RunwareItem,
  type RunwareMessage,
  type RunwareTask,
} from './runware-messages.ts';

/** How the client reaches Runware and how patient it is. */
export interface RunwareClientOptions {
  /** `wss://ws-api.runware.ai/v1` or a stand-in's `ws://127.0.0.1:PORT/v1`. */
  url: string;
  /** Read at every (re)connect, so a key set while running applies to the next connection. */
  apiKey: () => Promise<string | undefined>;
  /** Largest downstream frame accepted, in bytes. */
  maxMessageBytes: number;
  /** After a dropped socket (or a failed first connect), how long to keep reconnecting. */
  reconnectWindowMs: number;
  /** Interval of `ping` heartbeats; a missing pong after half of it closes the socket. */
  heartbeatMs: number;
  /** An idle connection (no task pending) is closed after this long. */
  idleCloseMs: number;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

/** One task to run: its payload (the UUID is added per attempt), patience, and completion test. */
export interface TaskRequest {
  task: Omit<RunwareTask, 'taskUUID'>;
  /**
   * A fixed taskUUID (for `getResponse`, whose answers carry the polled task's UUID). Without it
   * each attempt gets a fresh UUID, so late answers to an abandoned attempt are ignored.
   */
  taskUUID?: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** Sees every item answering the task; returns true once the task is complete. */
  onItem(item: RunwareItem, received: readonly RunwareItem[]): boolean;
  /** Runware parameter names → our option names, for error messages. */
  optionNames?: Readonly<Record<string, string>>;
  /** Called each time the task goes out on a socket (again after a reconnect). */
  onSent?(): void;
}

interface Pending {
  request: TaskRequest;
  uuid: string;
  items: RunwareItem[];
  state: 'waiting' | 'sent';
  resends: number;
  resolve(items: RunwareItem[]): void;
  reject(error: unknown): void;
  cleanup(): void;
}

/**
 * A small Runware WebSocket client. Written instead of using `@runware/sdk-js` because the SDK,
 * after a dropped socket, reconnects but does not re-send the tasks that were in flight (they wait
 * for its fixed timeout), and it offers no per-task cancellation or frame-size limit.
 *
 * Invariants: a task is answered at most once (resolve, reject, timeout and cancel race through
 * `settle`); answers for UUIDs we no longer wait for are dropped; a dropped socket re-sends each
 * in-flight task once (same payload, so the same seed) and fails it if the socket drops again or
 * no connection is back within `reconnectWindowMs`.
 */
export class RunwareClient {
  private socket: WebSocket | null = null;
  private connecting: Promise<void> | null = null;
  private connectionKey: string | undefined;
  private sessionUUID: string | undefined;
  private readonly pending = new Map<string, Pending>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private pongDeadline: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(private readonly options: RunwareClientOptions) {}

  /** Tasks sent or waiting to be sent. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Runs one task; resolves with the items that answered it. */
  run(request: TaskRequest): Promise<RunwareItem[]> {
    if (this.disposed) {
      return Promise.reject(new RunwarePluginError('unavailable', 'Runware client closed'));
    }
    if (request.signal.aborted) return Promise.reject(request.signal.reason);
    clearTimeout(this.idleTimer);
    return new Promise<RunwareItem[]>((resolve, reject) => {
      const entry: Pending = {
        request,
        uuid: request.taskUUID ?? randomUUID(),
        items: [],
        state: 'waiting',
        resends: 0,
        resolve,
        reject,
        cleanup: () => {},
      };
      const timer = setTimeout(() => {
        const seconds = Math.round(request.timeoutMs / 100) / 10;
        this.settle(
          entry,
          new RunwarePluginError(
            'unavailable',
            `Runware did not finish the ${request.task.taskType} task within ${seconds} s`,
          ),
        );
      }, request.timeoutMs);
      const onAbort = () => this.settle(entry, request.signal.reason);
      request.signal.addEventListener('abort', onAbort, { once: true });
      entry.cleanup = () => {
        clearTimeout(timer);
        request.signal.removeEventListener('abort', onAbort);
      };
      this.pending.set(entry.uuid, entry);
      this.connectAndFlush();
    });
  }

  /** Closes the socket and fails every pending task. */
  dispose(): void {
    this.disposed = true;
    const closed = new RunwarePluginError('unavailable', 'the Runware client was closed');
    for (const entry of [...this.pending.values()]) this.settle(entry, closed);
    this.closeSocket('disposed');
  }

  private settle(entry: Pending, outcome: unknown, items?: RunwareItem[]): void {
    if (this.pending.get(entry.uuid) !== entry) return;
    this.pending.delete(entry.uuid);
    entry.cleanup();
    if (items) entry.resolve(items);
    else entry.reject(outcome);
    if (this.pending.size === 0) this.scheduleIdleClose();
  }

  private connectAndFlush(): void {
    this.ensureConnection().then(
      () => this.flush(),
      (error: unknown) => {
        for (const entry of [...this.pending.values()]) {
          if (entry.state === 'waiting') this.settle(entry, error);
        }
      },
    );
  }

  /** Sends every task that is waiting, once a connection is authenticated. */
  private flush(): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN || this.connecting) return;
    const waiting = [...this.pending.values()].filter((entry) => entry.state === 'waiting');
    if (waiting.length === 0) return;
    for (const entry of waiting) entry.state = 'sent';
    socket.send(
      JSON.stringify(waiting.map((entry) => ({ ...entry.request.task, taskUUID: entry.uuid }))),
    );
    for (const entry of waiting) entry.request.onSent?.();
  }

  /** An authenticated socket, reconnecting for up to `reconnectWindowMs`. */
  private async ensureConnection(): Promise<void> {
    const key = await this.options.apiKey();
    if (this.socket?.readyState === WebSocket.OPEN && !this.connecting) {
      const busy = [...this.pending.values()].some((entry) => entry.state === 'sent');
      if (key === this.connectionKey || busy) return;
      // The key changed (Settings, CLI): the next tasks use a connection authenticated with it.
      this.closeSocket('API key changed');
    }
    this.connecting ??= this.connectWithRetry().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async connectWithRetry(): Promise<void> {
    const deadline = Date.now() + this.options.reconnectWindowMs;
    const delays = [0, 100, 250, 500, 1000];
    let lastError: unknown;
    for (let attempt = 0; !this.disposed; attempt++) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      try {
        await this.connectOnce(left);
        return;
      } catch (error) {
        if (error instanceof RunwarePluginError && error.failure === 'auth') throw error;
        lastError = error;
      }
      const delay = delays[Math.min(attempt + 1, delays.length - 1)]!;
      if (Date.now() + delay >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
    throw new RunwarePluginError(
      'unavailable',
      `could not connect to Runware within ${this.options.reconnectWindowMs / 1000} s${reason}`,
    );
  }

  /** Opens one socket and authenticates it; rejects on close, refusal or timeout. */
  private async connectOnce(timeoutMs: number): Promise<void> {
    const apiKey = await this.options.apiKey();
    if (!apiKey) throw missingKeyError();
    this.closeSocket('reconnecting');
    const socket = new WebSocket(this.options.url);
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (error?: unknown) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (error) {
          if (this.socket === socket) this.socket = null;
          socket.close();
          reject(error);
        } else resolve();
      };
      const timer = setTimeout(
        () => finish(new Error('timed out waiting for authentication')),
        timeoutMs,
      );
      socket.onopen = () => {
        const auth: Record<string, unknown> = { taskType: 'authentication', apiKey };
        if (this.sessionUUID) auth.connectionSessionUUID = this.sessionUUID;
        socket.send(JSON.stringify([auth]));
      };
      socket.onerror = () => finish(new Error('the connection failed'));
      socket.onclose = (event) => {
        finish(new Error(`the connection closed (code ${event.code})`));
        this.onClose(socket, event.code);
      };
      socket.onmessage = (event) => {
        const message = this.decode(event.data);
        if (!message) return;
        if (!done) {
          const refused = message.errors.find(isAuthError);
          if (refused) return finish(rejectedKeyError());
          const auth = message.data.find((item) => item.taskType === 'authentication');
          if (auth) {
            if (typeof auth.connectionSessionUUID === 'string') {
              this.sessionUUID = auth.connectionSessionUUID;
            }
            this.connectionKey = apiKey;
            finish();
            this.startHeartbeat(socket);
            return;
          }
        }
        this.route(message);
      };
    });
  }

  /** Decodes a frame; a refused frame fails the tasks it names (or all sent ones) and is dropped. */
  private decode(data: unknown): RunwareMessage | null {
    try {
      if (typeof data !== 'string') {
        throw new MalformedMessageError('Runware sent a binary frame (expected JSON text)', []);
      }
      return parseRunwareMessage(data, this.options.maxMessageBytes);
    } catch (error) {
      const malformed =
        error instanceof MalformedMessageError
          ? error
          : new MalformedMessageError(String(error), []);
      this.options.log('warn', `runware: refused a message: ${malformed.message}`);
      const named = malformed.taskUUIDs.map((uuid) => this.pending.get(uuid)).filter(Boolean);
      const victims = named.length > 0 ? named : [...this.pending.values()];
      for (const entry of victims) {
        if (entry?.state !== 'sent') continue;
        this.settle(entry, new RunwarePluginError('bad-response', malformed.message));
      }
      return null;
    }
  }

  private route(message: RunwareMessage): void {
    if (isPong(message)) this.clearPongDeadline();
    for (const error of message.errors) this.routeError(error);
    for (const item of message.data) {
      const entry = this.pending.get(item.taskUUID);
      if (!entry) continue; // an answer to a cancelled, timed-out or abandoned attempt
      entry.items.push(item);
      let complete: boolean;
      try {
        complete = entry.request.onItem(item, entry.items);
      } catch (error) {
        this.settle(entry, error);
        continue;
      }
      if (complete) this.settle(entry, null, entry.items);
    }
  }

  private routeError(error: RunwareErrorItem): void {
    const entry = error.taskUUID ? this.pending.get(error.taskUUID) : undefined;
    if (entry) {
      this.settle(
        entry,
        isAuthError(error)
          ? rejectedKeyError()
          : taskRefusedError(error, entry.request.optionNames),
      );
      return;
    }
    if (isAuthError(error)) {
      // The key was revoked mid-session: nothing on this connection can succeed.
      for (const pending of [...this.pending.values()]) this.settle(pending, rejectedKeyError());
      this.closeSocket('API key rejected');
      return;
    }
    this.options.log('warn', `runware: error for no pending task: ${error.code}`);
  }

  /** A socket closed: in-flight tasks are re-sent once on a fresh connection. */
  private onClose(socket: WebSocket, code: number): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.stopHeartbeat();
    if (this.disposed) return;
    const inFlight = [...this.pending.values()].filter((entry) => entry.state === 'sent');
    if (inFlight.length === 0) return;
    this.options.log('warn', `runware: connection dropped (code ${code}); re-sending`);
    for (const entry of inFlight) {
      if (entry.resends >= 1) {
        this.settle(
          entry,
          new RunwarePluginError(
            'unavailable',
            `the connection to Runware dropped again while re-sending the ${entry.request.task.taskType} task`,
          ),
        );
        continue;
      }
      entry.resends++;
      entry.items = [];
      entry.state = 'waiting';
      if (!entry.request.taskUUID) {
        this.pending.delete(entry.uuid);
        entry.uuid = randomUUID();
        this.pending.set(entry.uuid, entry);
      }
    }
    this.connectAndFlush();
  }

  private startHeartbeat(socket: WebSocket): void {
    this.stopHeartbeat();
    // A pong must come within max(half the interval, 1 s) of the oldest unanswered ping; later
    // pings do not push that deadline back, so a silent peer is noticed.
    const patience = Math.max(this.options.heartbeatMs / 2, 1000);
    this.heartbeat = setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      socket.send(JSON.stringify([{ taskType: 'ping', ping: true }]));
      this.pongDeadline ??= unref(
        setTimeout(() => {
          this.options.log('warn', 'runware: no pong; closing the connection');
          socket.close(4000, 'no pong');
        }, patience),
      );
    }, this.options.heartbeatMs);
    unref(this.heartbeat);
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.clearPongDeadline();
  }

  private clearPongDeadline(): void {
    clearTimeout(this.pongDeadline);
    this.pongDeadline = undefined;
  }

  private scheduleIdleClose(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = unref(
      setTimeout(() => {
        if (this.pending.size === 0) this.closeSocket('idle');
      }, this.options.idleCloseMs),
    );
  }

  private closeSocket(reason: string): void {
    const socket = this.socket;
    this.socket = null;
    this.stopHeartbeat();
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000, reason);
  }
}

function isAuthError(error: RunwareErrorItem): boolean {
  return (
    error.code === 'invalidApiKey' ||
    (error.taskType === 'authentication' && error.taskUUID === undefined)
  );
}

/** Lets a timer not keep the process alive (Bun and Node timers have `unref`). */
function unref<Timer>(timer: Timer): Timer {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
