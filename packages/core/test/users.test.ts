import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  accessScopeOf,
  type ComputeLedger,
  coreMigrations,
  createRuntime,
  EVERYONE,
  localUsersPolicy,
  ownerCondition,
  runMigrations,
  type SqlDatabase,
  UserStore,
  visibleTo,
} from '../src/index.ts';
import { openBunSqlite } from '../src/persistence/bun-sqlite.ts';
import { createTestPlugin } from '../src/testing/test-plugin.ts';

let dir: string;
let db: SqlDatabase;
let clock = Date.UTC(2026, 10, 29, 23, 0);
let users: UserStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'viwo-users-'));
  db = openBunSqlite(join(dir, 'viwo.db'));
  runMigrations(db);
  users = new UserStore(db, () => clock);
});
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('UserStore', () => {
  test('tokens authenticate their user only; rotation retires the old token', () => {
    const alice = users.add('alice', { admin: true });
    const bob = users.add('bob');
    expect(users.count()).toBe(2);
    expect(users.authenticate(alice.token)?.name).toBe('alice');
    expect(users.authenticate(bob.token)?.admin).toBe(false);
    expect(users.authenticate(`${bob.token}x`)).toBeUndefined();
    expect(users.authenticate('')).toBeUndefined();
    const rotated = users.rotateToken('bob');
    expect(users.authenticate(bob.token)).toBeUndefined();
    expect(users.authenticate(rotated)?.id).toBe(bob.user.id);
    expect(() => users.add('bob')).toThrow(/already exists/);
    expect(() => users.add('-bad')).toThrow(/user name/);
    expect(() => users.add('q', { maxComputePerDay: -1 })).toThrow(/maxComputePerDay/);
  });

  test('the ledger enforces per-job and per-UTC-day quotas and resets at midnight', () => {
    const { user } = users.add('carol', { maxComputePerJob: 3, maxComputePerDay: 5 });
    const ledger = users.ledger(user.id);
    expect(ledger.refusal('job1', 3)).toBeNull();
    ledger.charge('job1', 3);
    expect(ledger.refusal('job1', 0.5)).toContain('per job');
    expect(ledger.refusal('job2', 2)).toBeNull();
    ledger.charge('job2', 2);
    expect(ledger.refusal('job3', 0.5)).toContain('per day');
    expect(users.get('carol').computeToday).toBe(5);
    // A second ledger (another session or process) sees the same day's spend.
    expect(users.ledger(user.id).refusal('job4', 1)).toContain('0 left today');
    clock += 2 * 60 * 60 * 1000;
    expect(users.get('carol').computeToday).toBe(0);
    expect(ledger.refusal('job5', 3)).toBeNull();
    users.setQuota('carol', { maxComputePerJob: null });
    expect(users.get('carol').maxComputePerJob).toBeUndefined();
    expect(ledger.refusal('job5', 4.5)).toBeNull();
    users.remove('carol');
    expect(ledger.refusal('job6', 0)).toContain('no longer exists');
  });
});

test('the users migration is idempotent (parallel branches may renumber it at merge)', () => {
  const step = coreMigrations.find((migration) => migration.description.startsWith('users'))!;
  expect(() => db.transaction(() => step.up(db))).not.toThrow();
  expect(users.count()).toBeGreaterThan(0);
});

describe('owner scopes', () => {
  test('users see their own rows, admins and user-less callers see all', () => {
    const own = accessScopeOf({ user: { id: 'u1', name: 'a', admin: false } });
    const admin = accessScopeOf({ user: { id: 'u2', name: 'b', admin: true } });
    expect(accessScopeOf({})).toBe(EVERYONE);
    expect(visibleTo(own, 'u1')).toBe(true);
    expect(visibleTo(own, 'u2')).toBe(false);
    expect(visibleTo(own, null)).toBe(false);
    expect(visibleTo(admin, null)).toBe(true);
    expect(ownerCondition(own)).toEqual({ sql: 'owner = ?', params: ['u1'] });
    expect(ownerCondition(admin, 'c.owner')).toEqual({ sql: '1 = 1', params: [] });
    expect(() => ownerCondition(own, 'owner; DROP TABLE x')).toThrow(/owner column/);
  });
});

describe('quota charging under a busy device', () => {
  test('calls that passed the quota check while queued are re-checked before they run', async () => {
    const runtimeDir = await mkdtemp(join(tmpdir(), 'viwo-quota-race-'));
    const runtime = await createRuntime({ dataDir: runtimeDir, plugins: [createTestPlugin()] });
    try {
      // A ledger of 1.5 that announces when two calls have been checked (both now wait).
      let spent = 0;
      let checks = 0;
      let bothChecked!: () => void;
      const checked = new Promise<void>((resolve) => {
        bothChecked = resolve;
      });
      const ledger: ComputeLedger = {
        refusal(_jobId, cost) {
          if (++checks === 2) bothChecked();
          return spent + cost > 1.5 ? `over 1.5 (spent ${spent})` : null;
        },
        charge(_jobId, cost) {
          spent += cost;
        },
      };
      const blocker = runtime.openSession('local');
      const started = new Promise<string>((resolve) =>
        blocker.setNotifier((method, params) => {
          if (method === 'job.progress') resolve(params.job_id as string);
        }),
      );
      const render = (options: Record<string, unknown>) => [
        'std.call_method',
        ['get_capability', 'test'],
        'render',
        'p',
        options,
      ];
      const blocking = blocker
        .executeScript(render({ width: 2, height: 2, steps: 1000, delay_ms: 20 }))
        .catch((error: { code: string }) => error.code);
      const blockerJob = await started;
      const capped = runtime.openSession({ id: 'capped', local: true, quota: ledger });
      // 100×100×100 = 1 megapixel-step each: one fits in 1.5, two do not.
      const outcomes = [1, 2].map(() =>
        capped
          .executeScript(render({ width: 100, height: 100, steps: 100 }))
          .then(() => 'done')
          .catch((error: { code: string }) => error.code),
      );
      await checked;
      blocker.cancelJob(blockerJob);
      expect(await blocking).toBe('Cancelled');
      expect((await Promise.all(outcomes)).sort()).toEqual(['BudgetExceeded', 'done']);
      expect(spent).toBe(1);
    } finally {
      await runtime.dispose();
      await rm(runtimeDir, { recursive: true, force: true });
    }
  });
});

test('non-admin users may list models but not pull or delete them (server-wide changes)', () => {
  const user = { id: 'u', user: { id: 'u', name: 'u', admin: false } };
  const admin = { id: 'a', user: { id: 'a', name: 'a', admin: true } };
  expect(localUsersPolicy(user, 'models')).toEqual({ methods: ['list'] });
  expect(localUsersPolicy(user, 'test')).toBe(true);
  expect(localUsersPolicy(admin, 'models')).toBe(true);
  expect(localUsersPolicy({ id: 'local', local: true }, 'models')).toBe(true);
  expect(localUsersPolicy({ id: 'remote' }, 'models')).toBe(false);
});
