import type { SqlDatabase } from './sql-database.ts';

/**
 * How much history to keep (as InvokeAI's `max_queue_history`): finished entries beyond the newest
 * `maxEntries`, or older than `maxAgeMs`, are deleted. Favorites and unfinished jobs are always
 * kept. Absent fields mean no limit of that kind.
 */
export interface HistoryRetention {
  maxEntries?: number;
  maxAgeMs?: number;
}

/** Default retention: the newest 10,000 finished entries, any age. */
export const DEFAULT_HISTORY_RETENTION: HistoryRetention = { maxEntries: 10_000 };

const PRUNABLE = "favorite = 0 AND status NOT IN ('queued', 'running')";

/** Applies a retention policy; returns how many entries were deleted. */
export function pruneHistory(
  db: SqlDatabase,
  retention: HistoryRetention,
  now = Date.now(),
): number {
  let removed = 0;
  if (retention.maxAgeMs !== undefined && Number.isFinite(retention.maxAgeMs)) {
    removed += db.run(`DELETE FROM history WHERE ${PRUNABLE} AND created < ?`, [
      now - retention.maxAgeMs,
    ]).changes;
  }
  if (retention.maxEntries !== undefined && Number.isFinite(retention.maxEntries)) {
    const keep = Math.max(0, Math.floor(retention.maxEntries));
    removed += db.run(
      `DELETE FROM history WHERE ${PRUNABLE} AND rowid NOT IN (
         SELECT rowid FROM history WHERE ${PRUNABLE} ORDER BY created DESC, rowid DESC LIMIT ?)`,
      [keep],
    ).changes;
  }
  return removed;
}
