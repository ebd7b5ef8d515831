import { Show } from 'solid-js';
import { account, signOut } from './account.ts';

/** Header badge: who is signed in, and a sign-out button (nothing on a server without users). */
export function AccountBadge() {
  return (
    <Show when={account()}>
      {(user) => (
        <span class="account" data-testid="account">
          <span data-testid="account-name" title={user().admin ? 'administrator' : 'user'}>
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
