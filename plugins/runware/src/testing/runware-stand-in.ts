import { randomUUID } from 'node:crypto';
import type { Server, ServerWebSocket } from 'bun';
import { answerModelSearch, STAND_IN_MODELS, type StandInModel } from './stand-in-models.ts';
import { answerTask, type StandInState, type TaskAnswer } from './stand-in-tasks.ts';

/** A fault the stand-in injects into its next answer to a task type (consumed once). */
export type StandInFault =
  /** Close the socket on receipt, before answering (a dropped connection mid-task). */
  | 'drop'
  /** Never answer. */
  | 'silence'
  /** First send an error for another taskUUID, then answer normally. */
  | 'error-for-other-task'
  /** Send a frame that is not JSON but names the task. */
  | 'malformed'
  /** Answer with an image far over any sane size (base64 of `oversizeBytes`). */
  | 'oversize'
  /** Answer with an image URL on a host that is not the endpoint's. */
  | 'foreign-url'
  /** Answer with an error whose message echoes the API key. */
  | 'echo-key'
  /** Keep the answer until `release()` (a slow task whose result may arrive late). */
  | 'hold';

/** Options of {@link startRunwareStandIn}. */
export interface StandInOptions {
  /** Keys that authenticate (default: `test-key-0123456789`). */
  apiKeys?: string[];
  /** `getResponse` polls a video stays `processing` for (default 2). */
  videoPolls?: number;
  /** Cost reported per image (default 0.0019). */
  costPerImage?: number;
  /** Size of the `oversize` fault's payload (default 8 MiB). */
  oversizeBytes?: number;
  /** The catalogue `modelSearch` searches (default {@link STAND_IN_MODELS}). */
  models?: readonly StandInModel[];
}

/** A task as the stand-in received it, with the connection it came on. */
export interface ReceivedTask {
  connection: number;
  task: Record<string, unknown>;
}

/** A running stand-in. */
export interface RunwareStandIn {
  /** `ws://127.0.0.1:PORT/v1` */
  url: string;
  /** Every task received (authentication and ping included), in order. */
  received: ReceivedTask[];
  /** Connections opened so far. */
  connections(): number;
  /** Arms a fault for the next task of a type. */
  inject(taskType: string, fault: StandInFault): void;
  /** Whether pings are answered (off: a half-open connection, as far as the client can tell). */
  setPongs(enabled: boolean): void;
  /** Sends every held answer now (on the socket its task came on, if still open). */
  release(): Promise<void>;
  /** Resolves when a task of this type has been received (counting earlier ones: the n-th). */
  waitForTask(taskType: string, count?: number): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

interface SocketData {
  connection: number;
  authenticated: boolean;
  apiKey?: string;
}

/**
 * A protocol-faithful stand-in of Runware's WebSocket API on 127.0.0.1 and a random port: JSON
 * arrays of tasks up, `{data}` / `{errors}` down, matched by `taskUUID`; `authentication` first
 * (`invalidApiKey` for unknown keys), `ping`/`pong`, `imageInference` (one message per result,
 * `numberResults`, the three `outputType`s, `includeCost`, validation errors naming the
 * parameter), `imageUpload`, `upscale`, `removeBackground`, `promptEnhance`, `modelSearch` (see
 * stand-in-models.ts), and async `videoInference` answered through `getResponse` polls. Result URLs are served over HTTP on the
 * same host and port, as Runware serves them from its media hosts.
 */
export function startRunwareStandIn(options: StandInOptions = {}): RunwareStandIn {
  const keys = new Set(options.apiKeys ?? ['test-key-0123456789']);
  const catalogue = options.models ?? STAND_IN_MODELS;
  const received: ReceivedTask[] = [];
  const faults = new Map<string, StandInFault[]>();
  const waiters: {
    taskType: string;
    count: number;
    resolve: (task: Record<string, unknown>) => void;
  }[] = [];
  let connections = 0;
  let pongs = true;
  const held: (() => Promise<void>)[] = [];
  const state: StandInState = {
    media: new Map(),
    videos: new Map(),
    videoPolls: options.videoPolls ?? 2,
    costPerImage: options.costPerImage ?? 0.0019,
    baseUrl: '',
  };

  const send = (socket: ServerWebSocket<SocketData>, message: unknown) => {
    if (socket.readyState === 1) socket.sendText(JSON.stringify(message));
  };

  const record = (connection: number, task: Record<string, unknown>) => {
    received.push({ connection, task });
    const type = String(task.taskType);
    const seen = received.filter((entry) => entry.task.taskType === type).length;
    for (const waiter of [...waiters]) {
      if (waiter.taskType === type && seen >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(task);
      }
    }
  };

  const handle = async (socket: ServerWebSocket<SocketData>, task: Record<string, unknown>) => {
    const taskType = String(task.taskType);
    const taskUUID = typeof task.taskUUID === 'string' ? task.taskUUID : undefined;
    if (taskType === 'authentication') {
      if (typeof task.apiKey === 'string' && keys.has(task.apiKey)) {
        socket.data.authenticated = true;
        socket.data.apiKey = task.apiKey;
        const session =
          typeof task.connectionSessionUUID === 'string'
            ? task.connectionSessionUUID
            : randomUUID();
        send(socket, { data: [{ taskType: 'authentication', connectionSessionUUID: session }] });
      } else {
        send(socket, {
          errors: [
            {
              code: 'invalidApiKey',
              message: 'Invalid API key. Get one at https://my.runware.ai/signup',
              parameter: 'apiKey',
              type: 'string',
              taskType: 'authentication',
            },
          ],
        });
      }
      return;
    }
    if (taskType === 'ping') {
      if (pongs) send(socket, { data: [{ taskType: 'ping', pong: true }] });
      return;
    }
    if (!socket.data.authenticated) {
      send(socket, {
        errors: [{ code: 'notAuthenticated', message: 'authenticate first', taskType, taskUUID }],
      });
      return;
    }
    const fault = faults.get(taskType)?.shift();
    if (fault === 'drop') return socket.close(1011, 'stand-in dropped the connection');
    if (fault === 'silence') return;
    if (fault === 'malformed') return socket.sendText(`{"data": [{"taskUUID": "${taskUUID}", oops`);
    if (fault === 'echo-key') {
      return send(socket, {
        errors: [
          {
            code: 'internalError',
            message: `failed for key ${socket.data.apiKey}`,
            taskType,
            taskUUID,
          },
        ],
      });
    }
    if (fault === 'error-for-other-task') {
      send(socket, {
        errors: [
          {
            code: 'invalidSteps',
            message: 'not yours',
            parameter: 'steps',
            taskType,
            taskUUID: randomUUID(),
          },
        ],
      });
    }
    const answer = async () => {
      if (taskType === 'modelSearch') {
        for (const message of answerModelSearch(catalogue, task, fault === 'oversize')) {
          send(socket, message);
        }
        return;
      }
      const answers: TaskAnswer[] = await answerTask(state, task, {
        ...(fault === 'oversize'
          ? { oversizeBytes: options.oversizeBytes ?? 8 * 1024 * 1024 }
          : {}),
        foreignUrl: fault === 'foreign-url',
      });
      for (const message of answers) send(socket, message);
    };
    if (fault === 'hold') held.push(answer);
    else await answer();
  };

  const server: Server<SocketData> = Bun.serve<SocketData>({
    hostname: '127.0.0.1',
    port: 0,
    fetch(request, bunServer) {
      const url = new URL(request.url);
      const media = /^\/media\/([0-9a-f-]{36})\.(png|mp4)$/.exec(url.pathname);
      if (media) {
        const bytes = state.media.get(media[1]!);
        if (!bytes) return new Response('not found', { status: 404 });
        return new Response(Buffer.from(bytes), {
          headers: { 'content-type': media[2] === 'png' ? 'image/png' : 'video/mp4' },
        });
      }
      connections++;
      if (bunServer.upgrade(request, { data: { connection: connections, authenticated: false } })) {
        return undefined;
      }
      return new Response('expected a WebSocket', { status: 426 });
    },
    websocket: {
      maxPayloadLength: 64 * 1024 * 1024,
      async message(socket, raw) {
        let tasks: unknown;
        try {
          tasks = JSON.parse(String(raw));
        } catch {
          send(socket, { errors: [{ code: 'invalidJSON', message: 'the message is not JSON' }] });
          return;
        }
        if (!Array.isArray(tasks)) {
          send(socket, {
            errors: [{ code: 'invalidTasks', message: 'send a JSON array of tasks' }],
          });
          return;
        }
        for (const task of tasks) {
          if (typeof task !== 'object' || task === null) continue;
          record(socket.data.connection, task as Record<string, unknown>);
          await handle(socket, task as Record<string, unknown>);
        }
      },
    },
  });
  state.baseUrl = `http://127.0.0.1:${server.port}`;

  return {
    url: `ws://127.0.0.1:${server.port}/v1`,
    received,
    connections: () => connections,
    inject(taskType, fault) {
      const list = faults.get(taskType) ?? [];
      list.push(fault);
      faults.set(taskType, list);
    },
    setPongs(enabled) {
      pongs = enabled;
    },
    async release() {
      for (const answer of held.splice(0)) await answer();
    },
    waitForTask(taskType, count = 1) {
      const seen = received.filter((entry) => entry.task.taskType === taskType);
      if (seen.length >= count) return Promise.resolve(seen[count - 1]!.task);
      return new Promise((resolve) => waiters.push({ taskType, count, resolve }));
    },
    async stop() {
      server.stop(true);
    },
  };
}
