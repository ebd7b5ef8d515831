import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openBunSqlite, runMigrations, type UserRecord, UserStore } from '@viwo/core';

/** `viwo users …` usage, also printed on a usage error. */
export const USERS_USAGE = `usage:
  viwo users add NAME [--admin] [--max-compute-per-job N] [--max-compute-per-day N]
  viwo users list
  viwo users remove NAME
  viwo users token NAME
  viwo users quota NAME [--max-compute-per-job N|none] [--max-compute-per-day N|none]`;

/** What a users subcommand prints: lines for stdout, or an error for stderr with an exit code. */
export interface CommandOutcome {
  code: number;
  stdout: string[];
  stderr: string[];
}

interface ParsedArgs {
  positional: string[];
  admin: boolean;
  quota: { maxComputePerJob?: number | null; maxComputePerDay?: number | null };
}

const QUOTA_FLAGS = {
  '--max-compute-per-job': 'maxComputePerJob',
  '--max-compute-per-day': 'maxComputePerDay',
} as const;

function parseArgs(args: string[]): ParsedArgs | string {
  const parsed: ParsedArgs = { positional: [], admin: false, quota: {} };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--admin') parsed.admin = true;
    else if (arg in QUOTA_FLAGS) {
      const raw = args[index + 1];
      index++;
      const key = QUOTA_FLAGS[arg as keyof typeof QUOTA_FLAGS];
      if (raw === 'none') parsed.quota[key] = null;
      else {
        const value = Number(raw);
        if (raw === undefined || raw.trim() === '' || !Number.isFinite(value) || value < 0) {
          return `${arg} needs a number ≥ 0 (megapixel-steps) or "none", got ${raw ?? 'nothing'}`;
        }
        parsed.quota[key] = value;
      }
    } else if (arg.startsWith('--')) return `unknown option ${arg}`;
    else parsed.positional.push(arg);
  }
  return parsed;
}

function describe(user: UserRecord): string {
  const limit = (value: number | undefined) => (value === undefined ? 'unlimited' : String(value));
  return [
    user.name.padEnd(20),
    (user.admin ? 'admin' : 'user').padEnd(6),
    `per-job ${limit(user.maxComputePerJob)}`.padEnd(20),
    `per-day ${limit(user.maxComputePerDay)}`.padEnd(20),
    `today ${Number(user.computeToday.toPrecision(4))}`.padEnd(14),
    `created ${new Date(user.created).toISOString()}`,
  ].join(' ');
}

/**
 * Runs `viwo users <subcommand>` against the database in `dataDir`. It opens only the database
 * (never a runtime: that would mark a running server's jobs interrupted), so it is safe beside a
 * running server, which sees the change on its next request. Tokens are printed once, alone on
 * the last line of stdout; only their SHA-256 is stored.
 */
export function usersCommand(args: string[], dataDir: string): CommandOutcome {
  const [subcommand, ...rest] = args;
  const parsed = parseArgs(rest);
  if (typeof parsed === 'string') return { code: 2, stdout: [], stderr: [parsed, USERS_USAGE] };
  const name = parsed.positional[0];
  const needsName = subcommand !== 'list';
  if (!subcommand || (needsName && (!name || parsed.positional.length > 1))) {
    return { code: 2, stdout: [], stderr: [USERS_USAGE] };
  }
  mkdirSync(dataDir, { recursive: true });
  try {
    return withUserStore(dataDir, (users) => run(users, subcommand, name ?? '', parsed));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const prefix = typeof code === 'string' ? `${code}: ` : '';
    return { code: 1, stdout: [], stderr: [`${prefix}${(error as Error).message}`] };
  }
}

/**
 * Runs `work` on the users of `dataDir`, opening (and migrating) only its database — never a
 * runtime, which would mark a running server's jobs interrupted.
 */
export function withUserStore<T>(dataDir: string, work: (users: UserStore) => T): T {
  const db = openBunSqlite(join(dataDir, 'viwo.db'));
  try {
    runMigrations(db);
    return work(new UserStore(db));
  } finally {
    db.close();
  }
}

function run(users: UserStore, subcommand: string, name: string, args: ParsedArgs): CommandOutcome {
  const ok = (...stdout: string[]): CommandOutcome => ({ code: 0, stdout, stderr: [] });
  switch (subcommand) {
    case 'add': {
      const quota = {
        ...(typeof args.quota.maxComputePerJob === 'number'
          ? { maxComputePerJob: args.quota.maxComputePerJob }
          : {}),
        ...(typeof args.quota.maxComputePerDay === 'number'
          ? { maxComputePerDay: args.quota.maxComputePerDay }
          : {}),
      };
      const { user, token } = users.add(name, { admin: args.admin, ...quota });
      return ok(
        `created ${user.admin ? 'admin' : 'user'} ${user.name}; its token (shown only now) is on the next line`,
        token,
      );
    }
    case 'list': {
      const all = users.list();
      if (all.length === 0) return ok('no users: a loopback server needs no sign-in');
      return ok(...all.map(describe));
    }
    case 'remove':
      if (!users.remove(name)) {
        return { code: 1, stdout: [], stderr: [`NotFound: user ${name} does not exist`] };
      }
      return ok(`removed user ${name}; their jobs, history and templates stay (admins see them)`);
    case 'token':
      return ok(
        `new token for ${name} (the old one stops working now) is on the next line`,
        users.rotateToken(name),
      );
    case 'quota':
      return ok(describe(users.setQuota(name, args.quota)));
    default:
      return { code: 2, stdout: [], stderr: [`unknown users command ${subcommand}`, USERS_USAGE] };
  }
}
