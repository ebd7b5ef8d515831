import type { RpcNotificationArgs } from '@viwo/protocol';
import type { Principal } from './principal.ts';

/**
 * A session as jobs and other sessions see it: who it acts for, whether it is still connected,
 * and where its notifications go (whoever is connected now).
 */
export interface SessionLink {
  readonly id: string;
  readonly principal: Principal;
  readonly closed: boolean;
  notify(...notification: RpcNotificationArgs): void;
}
