import type { SqlValue } from './sql-database.ts';

/** The signed-in user a principal acts for (absent when the server has no users configured). */
export interface PrincipalUser {
  /** Stable user id (the `owner` stored on rows this user creates). */
  id: string;
  name: string;
  /** An admin sees and manages every user's rows. */
  admin: boolean;
}

/**
 * Which owned rows a caller may see. `owner` is stamped on rows the caller creates; `all` lets the
 * caller see every row (admins, and every caller on a server without users, as before users
 * existed). Rows created before users existed have no owner: only `all` scopes see them.
 */
export interface AccessScope {
  readonly owner: string | null;
  readonly all: boolean;
}

/** The scope of a caller with no user: sees everything, creates unowned rows. */
export const EVERYONE: AccessScope = Object.freeze({ owner: null, all: true });

/** The scope a principal's user gives it; no user means {@link EVERYONE}. */
export function accessScopeOf(principal: { user?: PrincipalUser }): AccessScope {
  const user = principal.user;
  if (!user) return EVERYONE;
  return { owner: user.id, all: user.admin };
}

/** Whether a row owned by `owner` (null: nobody) is visible in `scope`. */
export function visibleTo(scope: AccessScope, owner: string | null | undefined): boolean {
  return scope.all || (scope.owner !== null && owner === scope.owner);
}

/**
 * A SQL condition restricting a query to rows visible in `scope`, to AND into a WHERE clause:
 * `1 = 1` for an all-seeing scope, `<column> = ?` otherwise. Stores use it on every read, update
 * and delete so a row of another owner answers exactly like a missing one.
 */
export function ownerCondition(
  scope: AccessScope,
  column = 'owner',
): { sql: string; params: SqlValue[] } {
  if (scope.all) return { sql: '1 = 1', params: [] };
  if (!/^[a-z_][a-z0-9_.]*$/i.test(column)) throw new Error(`invalid owner column ${column}`);
  return { sql: `${column} = ?`, params: [scope.owner] };
}
