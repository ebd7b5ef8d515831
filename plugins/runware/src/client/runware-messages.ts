/**
 * Runware's WebSocket wire format, as its API and SDK speak it: a JSON array of tasks goes up;
 * `{data: [...]}` or `{errors: [...]}` comes down, every item carrying the `taskUUID` of the task
 * it answers (authentication and pong items are recognised by `taskType`).
 */

/** One task sent up (always inside an array). */
export interface RunwareTask {
  taskType: string;
  taskUUID: string;
  [key: string]: unknown;
}

/** One result item of a `data` message. */
export interface RunwareItem {
  taskType: string;
  taskUUID: string;
  [key: string]: unknown;
}

/** One error item of an `errors` message. */
export interface RunwareErrorItem {
  code: string;
  message: string;
  parameter?: string;
  taskType?: string;
  taskUUID?: string;
}

/** A decoded downstream message: its result items and error items (either may be empty). */
export interface RunwareMessage {
  data: RunwareItem[];
  errors: RunwareErrorItem[];
}

/** Why a downstream frame was refused. */
export class MalformedMessageError extends Error {
  constructor(
    message: string,
    /** Task UUIDs found in the raw text, so the tasks it was meant for can fail at once. */
    readonly taskUUIDs: string[],
  ) {
    super(message);
    this.name = 'MalformedMessageError';
  }
}

const UUID_IN_TEXT = /"taskUUID"\s*:\s*"([0-9a-fA-F-]{36})"/g;

/** Task UUIDs mentioned in a raw frame (first 64 KiB), for refusing a frame we cannot parse. */
export function taskUUIDsIn(raw: string): string[] {
  const found = new Set<string>();
  for (const match of raw.slice(0, 65536).matchAll(UUID_IN_TEXT)) found.add(match[1]!);
  return [...found];
}

/**
 * Parses and checks one downstream frame. Anything that is not JSON, is over `maxBytes`, or lacks
 * the documented shape is refused with a {@link MalformedMessageError} (never half-accepted).
 */
export function parseRunwareMessage(raw: string, maxBytes: number): RunwareMessage {
  // UTF-16 length bounds UTF-8 bytes from below; a frame over the limit in either is refused.
  if (raw.length > maxBytes) {
    throw new MalformedMessageError(
      `Runware sent a message of ${raw.length} bytes, over the ${maxBytes}-byte limit`,
      taskUUIDsIn(raw),
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new MalformedMessageError('Runware sent a message that is not JSON', taskUUIDsIn(raw));
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MalformedMessageError('Runware sent a message that is not an object', []);
  }
  const record = parsed as Record<string, unknown>;
  const message: RunwareMessage = { data: [], errors: [] };
  if (record.data !== undefined) {
    if (!Array.isArray(record.data)) {
      throw new MalformedMessageError('Runware sent "data" that is not a list', taskUUIDsIn(raw));
    }
    for (const [index, item] of record.data.entries()) {
      if (!isObject(item) || typeof item.taskType !== 'string') {
        throw new MalformedMessageError(
          `Runware sent data[${index}] without a taskType`,
          taskUUIDsIn(raw),
        );
      }
      if (typeof item.taskUUID !== 'string' && item.taskType !== 'authentication') {
        if (item.taskType === 'ping') {
          // A pong carries no taskUUID; it is kept so the heartbeat sees it.
          message.data.push({ ...item, taskType: 'ping', taskUUID: '' });
          continue;
        }
        throw new MalformedMessageError(
          `Runware sent data[${index}] without a taskUUID`,
          taskUUIDsIn(raw),
        );
      }
      message.data.push(item as RunwareItem);
    }
  }
  const errors = record.errors ?? record.error;
  if (errors !== undefined) {
    const list = Array.isArray(errors) ? errors : [errors];
    for (const [index, item] of list.entries()) {
      if (!isObject(item)) {
        throw new MalformedMessageError(
          `Runware sent errors[${index}] that is not an object`,
          taskUUIDsIn(raw),
        );
      }
      message.errors.push({
        code: typeof item.code === 'string' ? item.code : 'unknownError',
        message: typeof item.message === 'string' ? item.message : 'no message',
        ...(typeof item.parameter === 'string' ? { parameter: item.parameter } : {}),
        ...(typeof item.taskType === 'string' ? { taskType: item.taskType } : {}),
        ...(typeof item.taskUUID === 'string' ? { taskUUID: item.taskUUID } : {}),
      });
    }
  }
  if (record.data === undefined && errors === undefined) {
    throw new MalformedMessageError('Runware sent a message with neither data nor errors', []);
  }
  return message;
}

/** True for a pong (`{data: [{taskType: "ping", pong: true}]}`). */
export function isPong(message: RunwareMessage): boolean {
  return message.data.some((item) => item.taskType === 'ping' && item.pong === true);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
