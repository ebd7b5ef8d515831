import { decode, encode } from '@msgpack/msgpack';

/** A minimal JSON-RPC test client over a real WebSocket that records every message. */
export class TestRpcClient {
  readonly messages: Record<string, unknown>[] = [];
  private nextId = 1;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('message', (event) => {
      const data =
        typeof event.data === 'string'
          ? JSON.parse(event.data)
          : decode(new Uint8Array(event.data as ArrayBuffer));
      this.messages.push(data as Record<string, unknown>);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async connect(url: string, headers?: Record<string, string>): Promise<TestRpcClient> {
    const socket = new WebSocket(url, headers ? ({ headers } as unknown as string[]) : undefined);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error('websocket failed to open')), {
        once: true,
      });
      socket.addEventListener('close', () => reject(new Error('websocket closed')), { once: true });
    });
    return new TestRpcClient(socket);
  }

  /** Sends raw text or a value (JSON text frame, or msgpack binary frame when `binary`). */
  send(message: unknown, binary = false): void {
    if (binary) this.socket.send(encode(message));
    else this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Waits until a recorded message satisfies `predicate`. */
  async waitFor(
    predicate: (message: Record<string, unknown>) => boolean,
    timeoutMs = 15_000,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`timed out; saw ${JSON.stringify(this.messages).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** Sends a request and resolves with its whole response object. */
  async request(
    method: string,
    params?: unknown,
    binary = false,
  ): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    this.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }, binary);
    return this.waitFor((message) => message.id === id);
  }

  /** Sends a request and resolves with its result, throwing on an error response. */
  async call<T = unknown>(method: string, params?: unknown): Promise<T> {
    const response = await this.request(method, params);
    if (response.error) throw new Error(JSON.stringify(response.error));
    return response.result as T;
  }

  close(): void {
    this.socket.close();
  }
}
