import { createSignal } from 'solid-js';
import { type AccountQuota, storeToken } from './auth-token.ts';

/** The signed-in user (null on a server without users). */
export interface Account {
  name: string;
  admin: boolean;
  quota?: AccountQuota;
}

const [currentAccount, setCurrentAccount] = createSignal<Account | null>(null);

/** Who is signed in, for the header; null when the server has no users. */
export const account = currentAccount;

/** Records who is signed in (after `GET /whoami`). */
export function setAccount(value: Account | null): void {
  setCurrentAccount(value);
}

/**
 * Forgets the token and reloads: every connection, cached image and in-memory result of the
 * signed-out user goes with the page, and the sign-in screen comes back.
 */
export function signOut(): void {
  storeToken(null);
  setCurrentAccount(null);
  window.location.reload();
}
