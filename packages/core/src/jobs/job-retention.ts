import { toSizedWireValue, WireValueTooLarge } from '../rpc/wire-value.ts';

/** Largest result kept with a finished job (in memory for `job.list`/`job.get`, and in history). */
export const RETAINED_RESULT_BYTES = 256 * 1024;

/** Most log bytes kept in a history row (the live `job.log` notifications are not cut). */
export const RETAINED_LOG_BYTES = 64 * 1024;

/** Marker stored instead of a result too large to keep. */
export interface OmittedValue {
  $omitted: string;
  bytes: number;
}

/**
 * A result as it is kept after the job's reply: the wire-safe value when it fits
 * {@link RETAINED_RESULT_BYTES}, else a marker saying how large it was (the full value went to the
 * client in the `execute_script` reply only). Keeps `job.list`, `job.get` and history bounded.
 */
export function retainedResult(value: unknown): unknown {
  try {
    return toSizedWireValue(value, { maxBytes: RETAINED_RESULT_BYTES }, 'the result').value;
  } catch (error) {
    const bytes = error instanceof WireValueTooLarge ? error.bytes : RETAINED_RESULT_BYTES;
    const omitted: OmittedValue = {
      $omitted: `the result was larger than ${RETAINED_RESULT_BYTES} bytes and is not kept; it was sent in the execute_script reply`,
      bytes,
    };
    return omitted;
  }
}

/** The first log lines that fit {@link RETAINED_LOG_BYTES}, then one line saying how many were cut. */
export function retainedLogs<Log extends { level: string; message: string }>(logs: Log[]): Log[] {
  let left = RETAINED_LOG_BYTES;
  const kept: Log[] = [];
  for (const [index, log] of logs.entries()) {
    const size = log.message.length + log.level.length + 24;
    if (size > left) {
      const cut = logs.length - index;
      kept.push({
        ...log,
        level: 'warn',
        message: `${cut} more log lines not kept (over ${RETAINED_LOG_BYTES} bytes)`,
      });
      break;
    }
    left -= size;
    kept.push(log);
  }
  return kept;
}
