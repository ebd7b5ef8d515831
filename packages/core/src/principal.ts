import type { ComputeLedger } from './capabilities/compute-ledger.ts';
import type { CapabilityRestrictions } from './capability-definition.ts';
import type { PrincipalUser } from './persistence/access-scope.ts';

/**
 * Who a session acts for. `local` principals (loopback clients, the CLI) get the default grants.
 * A signed-in user's principal carries the user (owner of what its jobs create; admins see all)
 * and the user's compute quota, charged by every handle the session is granted.
 */
export interface Principal {
  id: string;
  local?: boolean;
  name?: string;
  user?: PrincipalUser;
  quota?: ComputeLedger;
}

/**
 * Decides what a principal may obtain with `get_capability`: `true` for the full type, a
 * restrictions object for an attenuated grant, `false` to deny.
 */
export type GrantPolicy = (principal: Principal, type: string) => boolean | CapabilityRestrictions;

/**
 * Methods a signed-in user who is not an admin may call on capability types that manage the whole
 * server (what every user shares): they may look, not change.
 */
export const NON_ADMIN_METHODS: Readonly<Record<string, readonly string[]>> = {
  models: ['list'],
};

/**
 * The default policy: local principals and signed-in users get every type, others nothing;
 * non-admin users get server-managing types only as far as {@link NON_ADMIN_METHODS} allows.
 */
export const localUsersPolicy: GrantPolicy = (principal, type) => {
  const user = principal.user;
  if (user && !user.admin && Object.hasOwn(NON_ADMIN_METHODS, type)) {
    return { methods: [...NON_ADMIN_METHODS[type]!] };
  }
  return principal.local === true || user !== undefined;
};
