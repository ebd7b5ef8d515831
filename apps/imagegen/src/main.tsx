import { render } from 'solid-js/web';
import { setAccount } from './auth/account.ts';
import { adoptTokenFromUrl, storedToken, storeToken, whoAmI } from './auth/auth-token.ts';
import { SignInScreen } from './auth/sign-in-screen.tsx';
import { newCanvasScript } from './layer/layer-mode.tsx';
import { registerOfflineShell } from './offline/register-offline-shell.ts';
import { defaultRpcUrl, RpcClient } from './rpc/rpc-client.ts';
import { App } from './shell/app.tsx';
import { persistedScript } from './state/settings.ts';
import { createWorkbench } from './state/workbench.ts';
import './shell/app.css';
import './auth/auth.css';

function startApp(root: HTMLElement): void {
  const saved = persistedScript(newCanvasScript);
  const rpc = new RpcClient(defaultRpcUrl(window.location, storedToken()));
  const workbench = createWorkbench(rpc, saved.value());
  // The script survives reloads; the automation hook lets browser tests drive and inspect it.
  const originalSet = workbench.setScript;
  workbench.setScript = (script: unknown) => {
    originalSet(script);
    saved.set(script);
  };
  // A refused reconnect may mean this user was removed or its token replaced: back to sign-in.
  rpc.onState((state) => {
    if (state !== 'reconnecting' || !storedToken()) return;
    void whoAmI().then((who) => {
      if (who.status !== 'sign-in-required') return;
      storeToken(null);
      window.location.reload();
    });
  });
  (window as unknown as { __viwo: unknown }).__viwo = { workbench, rpc };
  render(() => <App workbench={workbench} />, root);
}

/** Asks the server who we are first: a server with users gets the sign-in screen until then. */
async function boot(): Promise<void> {
  const root = document.getElementById('root')!;
  adoptTokenFromUrl(window.location, window.history);
  const hadToken = storedToken() !== null;
  const who = await whoAmI();
  if (who.status === 'sign-in-required') {
    if (hadToken) storeToken(null);
    const dispose = render(
      () => (
        <SignInScreen
          {...(hadToken ? { message: 'Your saved token was not accepted; sign in again.' } : {})}
          onSignedIn={(user) => {
            dispose();
            setAccount(user);
            startApp(root);
          }}
        />
      ),
      root,
    );
    return;
  }
  if (who.status === 'signed-in') setAccount(who.user);
  startApp(root);
}

void boot();
registerOfflineShell();
