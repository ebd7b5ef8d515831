import { createEffect, createRoot } from 'solid-js';
import { render } from 'solid-js/web';
import { setAccount } from './auth/account.ts';
import { adoptTokenFromUrl, storedToken, storeToken, whoAmI } from './auth/auth-token.ts';
import { SignInScreen } from './auth/sign-in-screen.tsx';
import { newCanvasScript } from './layer/layer-mode.tsx';
import { registerOfflineShell } from './offline/register-offline-shell.ts';
import { defaultRpcUrl, RpcClient } from './rpc/rpc-client.ts';
import { App } from './shell/app.tsx';
import { openCanvasDocument } from './state/canvas-document.ts';
import { takeHandoff, withoutHandoffParam } from './state/canvas-handoff.ts';
import { watchModelCatalog } from './state/model-catalog.ts';
import { openQueueClient } from './state/queue-client.ts';
import { createWorkbench } from './state/workbench.ts';
import { markUntrusted, pendingUntrusted } from './templates/trust-gate.ts';
import './shell/app.css';
import './shell/responsive.css';
import './auth/auth.css';

function startApp(root: HTMLElement): void {
  // A tab opened by "Open in new tab" starts from the script handed to it (once: the entry is
  // deleted as it is read, and the URL loses its parameter so a reload reopens this document).
  const handoff = takeHandoff(localStorage, window.location.search);
  if (handoff.kind !== 'none')
    window.history.replaceState(
      window.history.state,
      '',
      withoutHandoffParam(window.location.href),
    );
  const start = handoff.kind === 'taken' ? handoff.handoff : undefined;
  // This tab's canvas document: script, recorded results, trust and undo survive reloads.
  const canvas = openCanvasDocument(newCanvasScript, localStorage, sessionStorage, start);
  const untrusted = canvas.untrusted();
  if (untrusted !== null) markUntrusted(untrusted);
  const rpc = new RpcClient(defaultRpcUrl(window.location, storedToken()));
  const workbench = createWorkbench(rpc, canvas.script());
  const queue = openQueueClient(rpc);
  if (start) {
    workbench.setMode(start.mode);
    workbench.toast('info', `Opened ${start.label} in this new tab`);
  } else if (handoff.kind === 'missing')
    workbench.toast('error', `The canvas meant for this tab is gone: ${handoff.reason}`);
  watchModelCatalog(rpc);
  const originalSet = workbench.setScript;
  workbench.setScript = (script: unknown) => {
    originalSet(script);
    canvas.setScript(script);
  };
  // A script from elsewhere stays unconfirmed across reloads and in tabs copied from this one.
  createRoot(() => createEffect(() => canvas.setUntrusted(pendingUntrusted() ?? null)));
  window.addEventListener('storage', (event) => {
    if (canvas.handleStorageEvent(event.key, event.newValue))
      workbench.toast(
        'info',
        'This canvas was changed in another tab: this tab continues on a copy',
      );
  });
  // A refused reconnect may mean this user was removed or its token replaced: back to sign-in.
  rpc.onState((state) => {
    if (state !== 'reconnecting' || !storedToken()) return;
    void whoAmI().then((who) => {
      if (who.status !== 'sign-in-required') return;
      storeToken(null);
      window.location.reload();
    });
  });
  // The automation hook lets browser tests drive and inspect the app.
  (window as unknown as { __viwo: unknown }).__viwo = { workbench, rpc, canvas, queue };
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
