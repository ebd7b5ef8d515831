import type { CapabilityRestrictions } from './capability-definition.ts';

/** Who a session acts for. `local` principals (loopback clients, the CLI) get the default grants. */
export interface Principal {
  id: string;
  local?: boolean;
  name?: string;
}

/**
 * Decides what a principal may obtain with `get_capability`: `true` for the full type, a
 * restrictions object for an attenuated grant, `false` to deny.
 */
export type GrantPolicy = (principal: Principal, type: string) => boolean | CapabilityRestrictions;

/** The default policy: local users get every type, others nothing. */
export const localUsersPolicy: GrantPolicy = (principal) => principal.local === true;
