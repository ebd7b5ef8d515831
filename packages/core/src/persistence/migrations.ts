import type { SqlDatabase } from './sql-database.ts';

/** One schema step; `version` numbers are consecutive from 1 and never reused. */
export interface Migration {
  version: number;
  description: string;
  up(db: SqlDatabase): void;
}

/**
 * Core's schema history, in order. Append new steps; never edit a shipped one (databases in the
 * field already ran it).
 */
export const coreMigrations: readonly Migration[] = [
  {
    version: 1,
    description: 'history and templates',
    up(db) {
      db.exec(`
        CREATE TABLE history (
          id TEXT PRIMARY KEY,
          job_id TEXT NOT NULL UNIQUE,
          session_id TEXT,
          created INTEGER NOT NULL,
          status TEXT NOT NULL,
          script TEXT NOT NULL,
          params TEXT NOT NULL DEFAULT '[]',
          seeds TEXT NOT NULL DEFAULT '[]',
          images TEXT NOT NULL DEFAULT '[]',
          types TEXT NOT NULL DEFAULT ',',
          result TEXT,
          error TEXT,
          logs TEXT NOT NULL DEFAULT '[]',
          duration_ms INTEGER,
          parent_id TEXT,
          favorite INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE templates (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          description TEXT NOT NULL DEFAULT '',
          tags TEXT NOT NULL DEFAULT '[]',
          script TEXT NOT NULL,
          exposed TEXT NOT NULL DEFAULT '[]',
          thumbnail TEXT,
          version INTEGER NOT NULL DEFAULT 1,
          created INTEGER NOT NULL,
          updated INTEGER NOT NULL
        );
      `);
    },
  },
  {
    version: 2,
    description: 'indexes for history listing and job recovery',
    up(db) {
      db.exec(`
        CREATE INDEX history_created ON history (created DESC);
        CREATE INDEX history_status ON history (status);
        CREATE INDEX templates_updated ON templates (updated DESC);
      `);
    },
  },
  {
    version: 3,
    description: 'users (hashed tokens, compute quotas) and row owners',
    up(db) {
      // Rows written before users existed keep owner NULL: they belong to no one (admins see them).
      // Idempotent (IF NOT EXISTS, columns checked first): parallel branches may renumber this
      // step when they merge, and a database that already ran it must not fail on a re-run.
      db.exec(`
        CREATE TABLE IF NOT EXISTS users (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          admin INTEGER NOT NULL DEFAULT 0,
          token_hash TEXT NOT NULL,
          created INTEGER NOT NULL,
          max_compute_per_job REAL,
          max_compute_per_day REAL,
          compute_day TEXT,
          compute_spent REAL NOT NULL DEFAULT 0
        );
      `);
      for (const table of ['history', 'templates']) {
        const columns = db.all<{ name: string }>(`PRAGMA table_info(${table})`);
        if (!columns.some((column) => column.name === 'owner')) {
          db.exec(`ALTER TABLE ${table} ADD COLUMN owner TEXT`);
        }
      }
      db.exec(`
        CREATE INDEX IF NOT EXISTS history_owner ON history (owner, created DESC);
        CREATE INDEX IF NOT EXISTS templates_owner ON templates (owner, updated DESC);
      `);
    },
  },
  {
    version: 4,
    description: 'conversations: conversational refinement (refine), turns form a tree',
    up(db) {
      // IF NOT EXISTS: if parallel branches renumber this step at merge time, re-running is harmless.
      db.exec(`
        CREATE TABLE IF NOT EXISTS conversations (
          id TEXT PRIMARY KEY,
          owner TEXT,
          title TEXT NOT NULL DEFAULT '',
          options TEXT NOT NULL DEFAULT '{}',
          created INTEGER NOT NULL,
          updated INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS conversation_turns (
          id TEXT PRIMARY KEY,
          conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
          parent_id TEXT REFERENCES conversation_turns (id),
          message TEXT NOT NULL,
          prompt TEXT NOT NULL,
          negative_prompt TEXT NOT NULL DEFAULT '',
          seed INTEGER NOT NULL,
          strength REAL,
          image TEXT NOT NULL,
          script TEXT NOT NULL,
          action TEXT NOT NULL,
          explanation TEXT NOT NULL DEFAULT '',
          job_id TEXT NOT NULL,
          created INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS conversation_turns_by_conversation
          ON conversation_turns (conversation_id, created);
        CREATE INDEX IF NOT EXISTS conversations_updated ON conversations (updated DESC);
        CREATE INDEX IF NOT EXISTS conversations_owner ON conversations (owner);
      `);
    },
  },
  {
    version: 5,
    description: "history.source: 'queue' when the server queue ran a job (it reruns those itself)",
    up(db) {
      // A restart reruns interrupted jobs; the source says which ones the queue already reruns.
      const columns = db.all<{ name: string }>('PRAGMA table_info(history)');
      if (!columns.some((column) => column.name === 'source')) {
        db.exec('ALTER TABLE history ADD COLUMN source TEXT');
      }
    },
  },
];

/**
 * Brings the database to the newest schema: each pending migration runs in its own transaction
 * together with the `schema_version` bump, so a crash leaves the schema at a known version.
 * Refuses a database newer than this code (downgrades would silently corrupt it).
 */
export function runMigrations(
  db: SqlDatabase,
  migrations: readonly Migration[] = coreMigrations,
): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.get<{ version: number }>('SELECT MAX(version) AS version FROM schema_version');
  const current = row?.version ?? 0;
  const newest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  if (current > newest) {
    throw new Error(`database schema version ${current} is newer than this program (${newest})`);
  }
  const pending = [...migrations]
    .filter((m) => m.version > current)
    .sort((a, b) => a.version - b.version);
  for (const migration of pending) {
    db.transaction(() => {
      migration.up(db);
      db.run('INSERT INTO schema_version (version) VALUES (?)', [migration.version]);
    });
  }
  return pending.length === 0 ? current : pending[pending.length - 1]!.version;
}
