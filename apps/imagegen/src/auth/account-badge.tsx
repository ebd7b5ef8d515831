import { Show } from 'solid-js';
import { account, signOut } from './account.ts';
import type { AccountQuota } from './auth-token.ts';

/** The badge tooltip: role, and the compute quota with what today used (as of sign-in). */
function describe(admin: boolean, quota: AccountQuota | undefined): string {
  const role = admin ? 'administrator' : 'user';
  if (!quota) return role;
  const limit = (value: number | null) => (value === null ? 'unlimited' : String(value));
  return `${role} · compute per job ${limit(quota.max_compute_per_job)}, per day ${limit(quota.max_compute_per_day)} (used today: ${Number(quota.compute_today.toPrecision(4))}) megapixel-steps`;
}

/** Header badge: who is signed in, and a sign-out button (nothing on a server without users). */
export function AccountBadge() {
  return (
    <Show when={account()}>
      {(user) => (
        <span class="account" data-testid="account">
          <span data-testid="account-name" title={describe(user().admin, user().quota)}>
            {user().name}
            {user().admin ? ' (admin)' : ''}
          </span>
          <button type="button" data-testid="sign-out" onClick={signOut}>
            Sign out
          </button>
        </span>
      )}
    </Show>
  );
}
