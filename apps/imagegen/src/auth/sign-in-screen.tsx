import { createSignal, Show } from 'solid-js';
import type { Account } from './account.ts';
import { storeToken, whoAmI } from './auth-token.ts';

/**
 * The sign-in screen shown when the server demands a user token (`viwo users add NAME` prints
 * one). The token is checked with `GET /whoami` before it is kept.
 */
export function SignInScreen(props: {
  message?: string;
  onSignedIn: (account: Account | null) => void;
}) {
  const [token, setToken] = createSignal('');
  const [error, setError] = createSignal(props.message ?? '');
  const [busy, setBusy] = createSignal(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const value = token().trim();
    if (!value) {
      setError('Enter the token `viwo users add` or `viwo users token` printed for you.');
      return;
    }
    setBusy(true);
    storeToken(value);
    const who = await whoAmI();
    setBusy(false);
    if (who.status === 'signed-in') {
      props.onSignedIn(who.user);
      return;
    }
    storeToken(null);
    setError(
      who.status === 'sign-in-required'
        ? `That token was not accepted (${who.message}).`
        : `The server cannot be reached (${who.message}).`,
    );
  };
  return (
    <main class="sign-in" data-testid="sign-in">
      <form class="sign-in-card" onSubmit={submit}>
        <h1>viwo imagegen</h1>
        <p>This server has users. Sign in with your access token.</p>
        <label for="sign-in-token">Access token</label>
        <input
          id="sign-in-token"
          type="password"
          autocomplete="current-password"
          data-testid="sign-in-token"
          value={token()}
          onInput={(event) => setToken(event.currentTarget.value)}
        />
        <Show when={error()}>
          <p class="sign-in-error" role="alert" data-testid="sign-in-error">
            {error()}
          </p>
        </Show>
        <button type="submit" class="primary" disabled={busy()} data-testid="sign-in-submit">
          {busy() ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
