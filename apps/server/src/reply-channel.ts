import { encode } from '@msgpack/msgpack';
import {
  RpcErrorCode,
  type RpcResponse,
  toSizedWireValue,
  toWireValue,
  WireValueTooLarge,
} from '@viwo/core/rpc';

/** What a {@link ReplyChannel} writes to: the subset of Bun's ServerWebSocket it uses. */
export interface ReplySocket {
  readonly readyState: number;
  sendText(data: string): number;
  sendBinary(data: Uint8Array): number;
  close(code?: number, reason?: string): void;
}

/** Bounds of one connection's outgoing traffic. */
export interface ReplyLimits {
  /** Largest reply (or whole batch reply) sent; a bigger result is answered with an error. */
  maxReplyBytes: number;
  /** Bytes held for a client that is not reading; past this the socket closes with 1013. */
  maxBufferedBytes: number;
}

/** Defaults for {@link ReplyLimits}: 32 MiB per reply, 64 MiB held for a slow reader. */
export const defaultReplyLimits: ReplyLimits = {
  maxReplyBytes: 32 * 1024 * 1024,
  maxBufferedBytes: 64 * 1024 * 1024,
};

/** Notifications that may be dropped for a slow reader (counted); replies and job.done never are. */
const DROPPABLE = new Set(['job.progress', 'job.log']);

/** WebSocket close code "try again later": the client stopped reading and fell too far behind. */
export const CLOSE_TRY_AGAIN_LATER = 1013;

interface Pending {
  data: string | Uint8Array;
  bytes: number;
}

/**
 * One connection's outgoing side. Every value is made wire-safe and size-checked before it is
 * encoded (a lambda becomes a marker, an oversized reply becomes an error naming the limit), and
 * encoding never throws out of here. Backpressure is honoured: once Bun reports its buffer is
 * full, further messages wait in a bounded queue until `drain`; progress and log notifications are
 * dropped meanwhile (counted in `dropped`); if replies would overflow the queue, the socket is
 * closed with 1013 — a reply is never silently lost on an open socket.
 */
export class ReplyChannel {
  /** Notifications dropped because the client was not reading. */
  dropped = 0;
  private readonly queue: Pending[] = [];
  private queuedBytes = 0;
  private congested = false;
  private closing = false;

  constructor(
    private readonly socket: ReplySocket,
    private readonly limits: ReplyLimits = defaultReplyLimits,
  ) {}

  /** Sends a response or a batch of responses in the frame kind of the request. */
  reply(answer: RpcResponse | RpcResponse[], binary: boolean): void {
    const safe = Array.isArray(answer)
      ? this.safeBatch(answer)
      : this.safeResponse(answer, this.limits.maxReplyBytes);
    this.enqueue(safe, binary, false);
  }

  /** Sends a notification; progress and logs are droppable under backpressure. */
  notify(method: string, params: unknown, binary: boolean): void {
    let safeParams: unknown;
    try {
      safeParams = toWireValue(params, { maxBytes: this.limits.maxReplyBytes }, method);
    } catch {
      // A notification too large to send is not worth a reply-sized error: it is counted as lost.
      this.dropped++;
      return;
    }
    this.enqueue({ jsonrpc: '2.0', method, params: safeParams }, binary, DROPPABLE.has(method));
  }

  /** Bun's `drain`: the socket can take more; flush what waited. */
  drain(): void {
    this.congested = false;
    while (this.queue.length > 0 && !this.congested && !this.closing) {
      const next = this.queue.shift()!;
      this.queuedBytes -= next.bytes;
      this.write(next.data);
    }
  }

  private safeBatch(answers: RpcResponse[]): RpcResponse[] {
    let left = this.limits.maxReplyBytes;
    return answers.map((answer) => {
      const { response, bytes } = this.sizedResponse(answer, Math.max(0, left));
      left -= bytes;
      return response;
    });
  }

  /** The response with a wire-safe result, or an error response when it cannot be sent. */
  private safeResponse(answer: RpcResponse, budget: number): RpcResponse {
    return this.sizedResponse(answer, budget).response;
  }

  private sizedResponse(
    answer: RpcResponse,
    budget: number,
  ): { response: RpcResponse; bytes: number } {
    if (!('result' in answer)) return { response: answer, bytes: 256 };
    try {
      const sized = toSizedWireValue(answer.result, { maxBytes: budget }, 'the reply');
      return { response: { ...answer, result: sized.value }, bytes: sized.bytes + 64 };
    } catch (error) {
      const tooLarge = error instanceof WireValueTooLarge || isOutputLimit(error);
      const response: RpcResponse = {
        jsonrpc: '2.0',
        id: answer.id,
        error: tooLarge
          ? {
              code: RpcErrorCode.ScriptError,
              message: `reply too large: over the limit of ${budget} bytes left for it (ask for less: a smaller limit or page)`,
              data: { code: 'ReplyTooLarge', message: 'the reply exceeds the reply size limit' },
            }
          : {
              code: RpcErrorCode.InternalError,
              message: 'internal error: the reply could not be encoded',
            },
      };
      return { response, bytes: 256 };
    }
  }

  private enqueue(message: unknown, binary: boolean, droppable: boolean): void {
    if (this.closing || this.socket.readyState !== 1) return;
    let data: string | Uint8Array;
    try {
      data = binary ? encode(message) : JSON.stringify(message);
    } catch {
      // Unreachable for wire-safe values; kept so an encoder bug can never crash the process.
      this.dropped++;
      return;
    }
    if (this.congested || this.queue.length > 0) {
      if (droppable) {
        this.dropped++;
        return;
      }
      const bytes = typeof data === 'string' ? data.length : data.byteLength;
      if (this.queuedBytes + bytes > this.limits.maxBufferedBytes) {
        this.close(
          'the client is not reading its replies; reconnect and fetch results with job.get',
        );
        return;
      }
      this.queue.push({ data, bytes });
      this.queuedBytes += bytes;
      return;
    }
    this.write(data);
  }

  private write(data: string | Uint8Array): void {
    const status =
      typeof data === 'string' ? this.socket.sendText(data) : this.socket.sendBinary(data);
    // -1: Bun buffered it but is congested (wait for drain); 0: Bun dropped it.
    if (status === -1) this.congested = true;
    else if (status === 0 && this.socket.readyState === 1) {
      this.close('a reply could not be delivered; reconnect and fetch results with job.get');
    }
  }

  private close(reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.socket.close(CLOSE_TRY_AGAIN_LATER, reason.slice(0, 120));
  }
}

function isOutputLimit(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'OutputLimit';
}
