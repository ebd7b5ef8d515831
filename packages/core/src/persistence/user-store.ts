import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ComputeLedger } from '../capabilities/compute-ledger.ts';
import { coreError } from '../errors.ts';
import type { PrincipalUser } from './access-scope.ts';
import type { SqlDatabase, SqlValue } from './sql-database.ts';

/** Compute limits of one user, in megapixel-steps; absent means unlimited. */
export interface ComputeQuota {
  maxComputePerJob?: number;
  maxComputePerDay?: number;
}

/** A user as listed (never with its token or token hash). */
export interface UserRecord extends PrincipalUser, ComputeQuota {
  created: number;
  /** Compute spent on the current UTC day. */
  computeToday: number;
}

interface UserRow {
  id: string;
  name: string;
  admin: number;
  token_hash: string;
  created: number;
  max_compute_per_job: number | null;
  max_compute_per_day: number | null;
  compute_day: string | null;
  compute_spent: number;
}

/** User names: what a shell argument and a header line can carry without quoting. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;
/** Jobs whose per-job spend is remembered; older entries are forgotten (jobs that ended long ago). */
const JOBS_TRACKED = 4096;

/** SHA-256 of a token, hex: the only form a token is stored in. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The UTC calendar day of `time` as `YYYY-MM-DD` (the per-day quota's window). */
export function utcDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/**
 * Users in SQLite: name, admin flag, a SHA-256 hash of their bearer token, and compute quotas with
 * today's spend (persisted, so a restart or a second server process cannot reset the day).
 */
export class UserStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly now: () => number = Date.now,
  ) {}

  /** How many users exist; zero means the server runs without users (as before they existed). */
  count(): number {
    return this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM users')?.n ?? 0;
  }

  /** Creates a user and returns it with its token (shown once; only the hash is kept). */
  add(
    name: string,
    options: { admin?: boolean } & ComputeQuota = {},
  ): {
    user: UserRecord;
    token: string;
  } {
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw coreError(
        'InvalidArgument',
        `user name ${JSON.stringify(name)} must be 1–64 letters, digits, '_', '.', '@' or '-' (starting with a letter or digit)`,
      );
    }
    if (this.row(name)) throw coreError('InvalidArgument', `user ${name} already exists`);
    const token = newToken();
    this.db.run(
      `INSERT INTO users (id, name, admin, token_hash, created, max_compute_per_job,
         max_compute_per_day) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        randomUUID(),
        name,
        options.admin ? 1 : 0,
        hashToken(token),
        this.now(),
        quotaValue(options.maxComputePerJob, 'maxComputePerJob'),
        quotaValue(options.maxComputePerDay, 'maxComputePerDay'),
      ],
    );
    return { user: this.get(name), token };
  }

  /** Every user, by name. */
  list(): UserRecord[] {
    return this.db.all<UserRow>('SELECT * FROM users ORDER BY name').map((row) => this.toUser(row));
  }

  /** One user by name; NotFound otherwise. */
  get(name: string): UserRecord {
    const row = this.row(name);
    if (!row) throw coreError('NotFound', `user ${name} does not exist`);
    return this.toUser(row);
  }

  /** One user by id, if it still exists (a removed user's open sessions check this). */
  byId(id: string): UserRecord | undefined {
    const row = this.db.get<UserRow>('SELECT * FROM users WHERE id = ?', [id]);
    return row ? this.toUser(row) : undefined;
  }

  /** Deletes a user; their rows stay, owned by an id no one holds (admins still see them). */
  remove(name: string): boolean {
    return this.db.run('DELETE FROM users WHERE name = ?', [name]).changes > 0;
  }

  /** Replaces a user's token (the old one stops working at once) and returns the new one. */
  rotateToken(name: string): string {
    const token = newToken();
    const changed = this.db.run('UPDATE users SET token_hash = ? WHERE name = ?', [
      hashToken(token),
      name,
    ]).changes;
    if (changed === 0) throw coreError('NotFound', `user ${name} does not exist`);
    return token;
  }

  /** Sets (a number) or clears (null) a user's quotas; omitted keys stay as they are. */
  setQuota(
    name: string,
    quota: { maxComputePerJob?: number | null; maxComputePerDay?: number | null },
  ): UserRecord {
    const user = this.get(name);
    const perJob =
      quota.maxComputePerJob === undefined ? user.maxComputePerJob : quota.maxComputePerJob;
    const perDay =
      quota.maxComputePerDay === undefined ? user.maxComputePerDay : quota.maxComputePerDay;
    this.db.run('UPDATE users SET max_compute_per_job = ?, max_compute_per_day = ? WHERE id = ?', [
      quotaValue(perJob ?? undefined, 'maxComputePerJob'),
      quotaValue(perDay ?? undefined, 'maxComputePerDay'),
      user.id,
    ]);
    return this.get(name);
  }

  /**
   * The user a bearer token belongs to. The presented token is hashed and compared with every
   * stored hash in constant time, without stopping at a match, so timing tells nothing about
   * which (or whether a) stored hash shares a prefix with it.
   */
  authenticate(token: string): UserRecord | undefined {
    if (typeof token !== 'string' || token.length === 0 || token.length > 512) return undefined;
    const presented = Buffer.from(hashToken(token), 'hex');
    let found: UserRow | undefined;
    for (const row of this.db.all<UserRow>('SELECT * FROM users')) {
      const stored = Buffer.from(row.token_hash, 'hex');
      if (stored.length === presented.length && timingSafeEqual(stored, presented)) found = row;
    }
    return found ? this.toUser(found) : undefined;
  }

  /**
   * The quota ledger of a user: per job in memory (a job lives in one process), per UTC day in the
   * database. Unlimited quotas still record the day's spend, so `users list` shows it.
   */
  ledger(userId: string): ComputeLedger {
    const perJob = new Map<string, number>();
    return {
      refusal: (jobId, cost) => {
        const row = this.db.get<UserRow>('SELECT * FROM users WHERE id = ?', [userId]);
        if (!row) return 'this user no longer exists';
        const jobLimit = row.max_compute_per_job;
        const jobSpent = perJob.get(jobId) ?? 0;
        if (jobLimit !== null && jobSpent + cost > jobLimit + 1e-9) {
          return `would cost ${format(cost)} megapixel-steps, over ${row.name}'s quota of ${format(jobLimit)} per job (${format(Math.max(0, jobLimit - jobSpent))} left in this job)`;
        }
        const dayLimit = row.max_compute_per_day;
        const daySpent = row.compute_day === utcDay(this.now()) ? row.compute_spent : 0;
        if (dayLimit !== null && daySpent + cost > dayLimit + 1e-9) {
          return `would cost ${format(cost)} megapixel-steps, over ${row.name}'s quota of ${format(dayLimit)} per day (${format(Math.max(0, dayLimit - daySpent))} left today, UTC)`;
        }
        return null;
      },
      charge: (jobId, cost) => {
        const before = perJob.get(jobId) ?? 0;
        // Re-inserted so the map's order is least recently charged first (evicted first).
        perJob.delete(jobId);
        perJob.set(jobId, before + cost);
        if (perJob.size > JOBS_TRACKED) perJob.delete(perJob.keys().next().value as string);
        const day = utcDay(this.now());
        this.db.run(
          `UPDATE users SET compute_spent = CASE WHEN compute_day = ? THEN compute_spent + ? ELSE ? END,
             compute_day = ? WHERE id = ?`,
          [day, cost, cost, day, userId],
        );
      },
    };
  }

  private row(name: string): UserRow | undefined {
    return this.db.get<UserRow>('SELECT * FROM users WHERE name = ?', [String(name)]);
  }

  private toUser(row: UserRow): UserRecord {
    const user: UserRecord = {
      id: row.id,
      name: row.name,
      admin: row.admin === 1,
      created: row.created,
      computeToday: row.compute_day === utcDay(this.now()) ? row.compute_spent : 0,
    };
    if (row.max_compute_per_job !== null) user.maxComputePerJob = row.max_compute_per_job;
    if (row.max_compute_per_day !== null) user.maxComputePerDay = row.max_compute_per_day;
    return user;
  }
}

/** 256 random bits, prefixed so a leaked token is recognisable in logs and secret scanners. */
function newToken(): string {
  return `viwo_${randomBytes(32).toString('base64url')}`;
}

function quotaValue(value: number | undefined, name: string): SqlValue {
  if (value === undefined) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw coreError('InvalidArgument', `${name} must be a number ≥ 0, got ${String(value)}`);
  }
  return value;
}

function format(value: number): string {
  return String(Number(value.toPrecision(4)));
}
