/** A bound SQL parameter. */
export type SqlValue = string | number | bigint | boolean | null | Uint8Array;

/**
 * The small synchronous SQL surface core needs. Only `bun-sqlite.ts` talks to `bun:sqlite`, so the
 * stores above stay runtime-neutral and could run on another driver with the same shape.
 */
export interface SqlDatabase {
  /** Runs one or more statements with no parameters (DDL). */
  exec(sql: string): void;
  /** Runs one statement; returns how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): { changes: number };
  get<Row>(sql: string, params?: readonly SqlValue[]): Row | undefined;
  all<Row>(sql: string, params?: readonly SqlValue[]): Row[];
  /** Runs `body` in one transaction: all of it commits, or none of it on a throw. */
  transaction<T>(body: () => T): T;
  close(): void;
}
