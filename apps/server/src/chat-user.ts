import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Principal, Runtime } from '@viwo/core';
import { withUserStore } from './users-command.ts';

/** Whom `viwo chat` acts as: a named user, or (only without users) the local operator. */
export type ChatIdentity = { user: string } | { user: null };

/**
 * Decides whom `viwo chat --user NAME` acts as, from the users of the data dir, before any runtime
 * opens (a refused start loads no plugins and touches no jobs). Returns the identity, or the
 * message of a flag error (exit code 2).
 *
 * - `--user NAME`: that user, as if signed in in the browser. An unknown name is refused.
 * - No `--user` on a data dir with users: refused, naming the flag. Why not act as an all-seeing
 *   local operator: its conversations would be owned by no one — invisible in every non-admin's
 *   Chat Mode — and it would quietly list and resume every user's conversations. Someone who
 *   wants the all-seeing view passes an admin's name, and then what they create is theirs.
 * - No `--user` without users: the local operator, exactly as before users existed.
 */
export function resolveChatIdentity(
  dataDir: string,
  name: string | undefined,
): ChatIdentity | { error: string } {
  if (name !== undefined && name.trim() === '') return { error: '--user needs a user name' };
  const names = userNames(dataDir);
  if (name === undefined) {
    if (names.length === 0) return { user: null };
    return {
      error: `this data dir has users: pass --user NAME to chat as one of them (${listHint(names)})`,
    };
  }
  if (names.includes(name)) return { user: name };
  if (names.length === 0) {
    return {
      error: `--user ${name}: this data dir has no users (add one with: bun run viwo users add ${name})`,
    };
  }
  return { error: `--user ${name}: no such user (${listHint(names)})` };
}

/**
 * The principal of a resolved identity on an open runtime: a user's principal carries their access
 * scope (conversations, history, images) and their compute quota, as a signed-in WebSocket does.
 */
export function chatPrincipal(runtime: Runtime, identity: ChatIdentity): Principal | string {
  if (identity.user === null) return 'cli';
  return runtime.userPrincipal(runtime.users.get(identity.user));
}

/** The user names of a data dir; none when it has no database yet (nothing is created then). */
function userNames(dataDir: string): string[] {
  const path = join(dataDir, 'viwo.db');
  if (!existsSync(path)) return [];
  return withUserStore(dataDir, (users) => users.list().map((user) => user.name));
}

function listHint(names: string[]): string {
  const shown = names.slice(0, 10).join(', ');
  return `users: ${shown}${names.length > 10 ? ', …' : ''}; bun run viwo users list`;
}
