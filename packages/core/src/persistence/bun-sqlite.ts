import { Database } from 'bun:sqlite';
import type { SqlDatabase, SqlValue } from './sql-database.ts';

/**
 * Opens (creating if needed) a SQLite file with bun:sqlite in WAL mode. WAL plus `synchronous=NORMAL`
 * keeps every committed transaction across a process crash while letting readers run during writes.
 */
export function openBunSqlite(path: string): SqlDatabase {
  const db = new Database(path, { create: true });
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA busy_timeout = 5000');
  let closed = false;
  const bind = (params: readonly SqlValue[] | undefined) =>
    (params ?? []) as (string | number | bigint | boolean | null | Uint8Array)[];
  return {
    exec(sql) {
      db.exec(sql);
    },
    run(sql, params) {
      const result = db.query(sql).run(...bind(params));
      return { changes: Number(result.changes) };
    },
    get<Row>(sql: string, params?: readonly SqlValue[]) {
      return (db.query(sql).get(...bind(params)) ?? undefined) as Row | undefined;
    },
    all<Row>(sql: string, params?: readonly SqlValue[]) {
      return db.query(sql).all(...bind(params)) as Row[];
    },
    transaction<T>(body: () => T): T {
      return db.transaction(body)();
    },
    close() {
      if (closed) return;
      closed = true;
      // Checkpoint so the main file holds everything and the -wal file can go away.
      db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}
