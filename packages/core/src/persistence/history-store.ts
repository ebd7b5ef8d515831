import { randomUUID } from 'node:crypto';
import {
  type HistoryEntry,
  type HistoryQuery,
  type ImageValue,
  type JobStatus,
  type RecordedCall,
  recordedCallsFromScript,
} from '@viwo/protocol';
import { coreError } from '../errors.ts';
import { collectImageHashes } from '../images/collect-image-hashes.ts';
import { type AccessScope, EVERYONE, ownerCondition } from './access-scope.ts';
import type { SqlDatabase, SqlValue } from './sql-database.ts';

export type { HistoryEntry, HistoryQuery, JobStatus, RecordedCall } from '@viwo/protocol';

interface HistoryRow {
  id: string;
  job_id: string;
  created: number;
  status: JobStatus;
  script: string;
  params: string;
  seeds: string;
  images: string;
  result: string | null;
  error: string | null;
  logs: string;
  duration_ms: number | null;
  parent_id: string | null;
  favorite: number;
}

/** Who started a job: `queue` for the server's queue, absent for a direct `execute_script`. */
export type JobSource = 'queue';

/** A job a previous process left unfinished, as {@link HistoryStore.markInterrupted} found it. */
export interface InterruptedJob {
  /** Its history entry id. */
  id: string;
  jobId: string;
  script: unknown;
  /** The user it belongs to (null: no one). */
  owner: string | null;
  source: JobSource | null;
}

/** The final state of a job, written once when it ends. */
export interface JobOutcome {
  status: JobStatus;
  params: RecordedCall[];
  seeds: number[];
  images: ImageValue[];
  result?: unknown;
  error?: HistoryEntry['error'];
  logs: HistoryEntry['logs'];
  duration_ms: number;
}

/**
 * Job history in SQLite. A row is inserted when a job is queued and completed when it ends, so a
 * crash mid-job leaves a `queued`/`running` row that the next start marks `interrupted`.
 */
export class HistoryStore {
  constructor(private readonly db: SqlDatabase) {}

  /** Records a newly accepted job (`queued` unless told otherwise) and returns its history id. */
  begin(job: {
    jobId: string;
    sessionId: string;
    script: unknown;
    parentId?: string;
    status?: JobStatus;
    /** The user the job belongs to (null or absent: no one). */
    owner?: string | null;
    source?: JobSource;
  }): string {
    const id = randomUUID();
    this.db.run(
      'INSERT INTO history (id, job_id, session_id, created, status, script, parent_id, owner, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        id,
        job.jobId,
        job.sessionId,
        Date.now(),
        job.status ?? 'queued',
        JSON.stringify(job.script),
        job.parentId ?? null,
        job.owner ?? null,
        job.source ?? null,
      ],
    );
    return id;
  }

  /** Updates the status of a job still in progress. */
  setStatus(jobId: string, status: JobStatus): void {
    this.db.run('UPDATE history SET status = ? WHERE job_id = ?', [status, jobId]);
  }

  /** Writes a job's outcome in one statement (atomic). */
  finish(jobId: string, outcome: JobOutcome): void {
    const types = typesColumn(outcome.params);
    this.db.run(
      `UPDATE history SET status = ?, params = ?, seeds = ?, images = ?, types = ?, result = ?,
         error = ?, logs = ?, duration_ms = ? WHERE job_id = ?`,
      [
        outcome.status,
        JSON.stringify(outcome.params),
        JSON.stringify(outcome.seeds),
        JSON.stringify(outcome.images),
        types,
        outcome.result === undefined ? null : JSON.stringify(outcome.result),
        outcome.error ? JSON.stringify(outcome.error) : null,
        JSON.stringify(outcome.logs),
        Math.round(outcome.duration_ms),
        jobId,
      ],
    );
  }

  /** Appends one line to a finished job's logs (e.g. a problem found after its reply was sent). */
  appendLog(jobId: string, log: HistoryEntry['logs'][number]): void {
    this.db.run(`UPDATE history SET logs = json_insert(logs, '$[#]', json(?)) WHERE job_id = ?`, [
      JSON.stringify(log),
      jobId,
    ]);
  }

  /**
   * Marks jobs a previous process left `queued` or `running` as `interrupted` (they cannot be
   * resumed: their in-memory state died with that process). Their calls were never recorded, so
   * `params`, `seeds` and `types` are read from the script ({@link recordedCallsFromScript}):
   * the entry shows its prompt and seed, and search and the type filter find it. Returns the jobs
   * it marked, oldest first, for the server to run again.
   */
  markInterrupted(): InterruptedJob[] {
    const rows = this.db.all<{
      id: string;
      job_id: string;
      script: string;
      owner: string | null;
      source: string | null;
    }>(
      `SELECT id, job_id, script, owner, source FROM history
         WHERE status IN ('queued', 'running') ORDER BY created, rowid`,
    );
    return this.db.transaction(() => {
      const marked: InterruptedJob[] = [];
      for (const row of rows) {
        const script = parseStoredScript(row.script);
        const { calls, seeds } = recordedCallsFromScript(script);
        const changed = this.db.run(
          `UPDATE history SET status = 'interrupted', params = ?, seeds = ?, types = ?
             WHERE id = ? AND status IN ('queued', 'running')`,
          [JSON.stringify(calls), JSON.stringify(seeds), typesColumn(calls), row.id],
        ).changes;
        if (changed === 0) continue;
        marked.push({
          id: row.id,
          jobId: row.job_id,
          script,
          owner: row.owner,
          source: row.source === 'queue' ? 'queue' : null,
        });
      }
      return marked;
    });
  }

  /** Entries visible in `scope`, newest first, filtered and paged. */
  list(query: HistoryQuery = {}, scope: AccessScope = EVERYONE): HistoryEntry[] {
    const owned = ownerCondition(scope);
    const where: string[] = [owned.sql];
    const params: SqlValue[] = [...owned.params];
    if (query.query) {
      where.push("(script LIKE ? ESCAPE '\\' OR params LIKE ? ESCAPE '\\')");
      const pattern = `%${escapeLike(query.query)}%`;
      params.push(pattern, pattern);
    }
    if (query.type) {
      where.push("types LIKE ? ESCAPE '\\'");
      params.push(`%,${escapeLike(query.type)},%`);
    }
    if (query.favorite !== undefined) {
      where.push('favorite = ?');
      params.push(query.favorite ? 1 : 0);
    }
    const limit = clampInteger(query.limit, 50, 1, 1000, 'limit');
    const offset = clampInteger(query.offset, 0, 0, Number.MAX_SAFE_INTEGER, 'offset');
    const sql = `SELECT * FROM history ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created DESC, rowid DESC LIMIT ? OFFSET ?`;
    return this.db.all<HistoryRow>(sql, [...params, limit, offset]).map(toEntry);
  }

  /**
   * One entry by history id or job id, if visible in `scope`; the same NotFound error otherwise
   * (another user's entry is indistinguishable from a missing one).
   */
  get(id: string, scope: AccessScope = EVERYONE): HistoryEntry {
    const owned = ownerCondition(scope);
    const row = this.db.get<HistoryRow>(
      `SELECT * FROM history WHERE (id = ? OR job_id = ?) AND ${owned.sql}`,
      [id, id, ...owned.params],
    );
    if (!row) throw coreError('NotFound', `history entry ${id} does not exist`);
    return toEntry(row);
  }

  /** Deletes an entry visible in `scope`; returns whether it existed there. */
  delete(id: string, scope: AccessScope = EVERYONE): boolean {
    const owned = ownerCondition(scope);
    return (
      this.db.run(`DELETE FROM history WHERE (id = ? OR job_id = ?) AND ${owned.sql}`, [
        id,
        id,
        ...owned.params,
      ]).changes > 0
    );
  }

  /** Sets or clears the favorite flag of an entry visible in `scope`; returns the updated entry. */
  favorite(id: string, value: boolean, scope: AccessScope = EVERYONE): HistoryEntry {
    if (typeof value !== 'boolean') {
      throw coreError('InvalidArgument', 'history.favorite: value must be true or false');
    }
    const owned = ownerCondition(scope);
    const changed = this.db.run(
      `UPDATE history SET favorite = ? WHERE (id = ? OR job_id = ?) AND ${owned.sql}`,
      [value ? 1 : 0, id, id, ...owned.params],
    ).changes;
    if (changed === 0) throw coreError('NotFound', `history entry ${id} does not exist`);
    return this.get(id, scope);
  }

  /** Every image hash any entry references (for garbage collection). */
  referencedImages(): Set<string> {
    const hashes = new Set<string>();
    const rows = this.db.all<{
      images: string;
      script: string;
      params: string;
      result: string | null;
    }>('SELECT images, script, params, result FROM history');
    for (const row of rows) {
      for (const column of [row.images, row.script, row.params, row.result]) {
        if (column !== null) collectImageHashes(JSON.parse(column), hashes);
      }
    }
    return hashes;
  }
}

function toEntry(row: HistoryRow): HistoryEntry {
  const entry: HistoryEntry = {
    id: row.id,
    job_id: row.job_id,
    created: row.created,
    status: row.status,
    script: JSON.parse(row.script),
    params: JSON.parse(row.params),
    seeds: JSON.parse(row.seeds),
    images: JSON.parse(row.images),
    duration_ms: row.duration_ms,
    favorite: row.favorite === 1,
    logs: JSON.parse(row.logs),
  };
  if (row.parent_id) entry.parent_id = row.parent_id;
  const cost = totalCost(entry.params);
  if (cost !== undefined) entry.cost = cost;
  if (row.result !== null) entry.result = JSON.parse(row.result);
  if (row.error !== null) entry.error = JSON.parse(row.error);
  return entry;
}

/** The `types` column: each capability type the calls used, comma-delimited on both ends. */
function typesColumn(calls: readonly RecordedCall[]): string {
  return `,${[...new Set(calls.map((call) => call.type))].join(',')},`;
}

/** A stored script column, or null when it does not parse (a damaged row must not stop a start). */
function parseStoredScript(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The sum of the calls' reported costs, or undefined when no call reported one. */
export function totalCost(calls: readonly RecordedCall[]): number | undefined {
  let total: number | undefined;
  for (const call of calls) {
    if (typeof call?.cost === 'number') total = (total ?? 0) + call.cost;
  }
  return total === undefined ? undefined : Math.round(total * 1e10) / 1e10;
}

/** Escapes LIKE wildcards so a user query matches literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** Validates an optional integer paging argument, naming it when it is wrong. */
export function clampInteger(
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  name: string,
): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw coreError('InvalidArgument', `${name} must be an integer`);
  }
  if (value < min || value > max) {
    throw coreError('InvalidArgument', `${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}
