import { createEffect, createRoot } from 'solid-js';
import { render } from 'solid-js/web';
import { newCanvasScript } from './layer/layer-mode.tsx';
import { registerOfflineShell } from './offline/register-offline-shell.ts';
import { defaultRpcUrl, RpcClient } from './rpc/rpc-client.ts';
import { App } from './shell/app.tsx';
import { openCanvasDocument } from './state/canvas-document.ts';
import { openQueueClient } from './state/queue-client.ts';
import { createWorkbench } from './state/workbench.ts';
import { markUntrusted, pendingUntrusted } from './templates/trust-gate.ts';
import './shell/app.css';
import './shell/responsive.css';

// This tab's canvas document: script, recorded results, trust and undo survive reloads.
const canvas = openCanvasDocument(newCanvasScript);
const untrusted = canvas.untrusted();
if (untrusted !== null) markUntrusted(untrusted);

const rpc = new RpcClient(defaultRpcUrl(window.location));
const workbench = createWorkbench(rpc, canvas.script());
const queue = openQueueClient(rpc);
const originalSet = workbench.setScript;
workbench.setScript = (script: unknown) => {
  originalSet(script);
  canvas.setScript(script);
};
// A script from elsewhere stays unconfirmed across reloads and in tabs copied from this one.
createRoot(() => createEffect(() => canvas.setUntrusted(pendingUntrusted() ?? null)));
window.addEventListener('storage', (event) => {
  if (canvas.handleStorageEvent(event.key, event.newValue))
    workbench.toast('info', 'This canvas was changed in another tab: this tab continues on a copy');
});
// The automation hook lets browser tests drive and inspect the app.
(window as unknown as { __viwo: unknown }).__viwo = { workbench, rpc, canvas, queue };
render(() => <App workbench={workbench} />, document.getElementById('root')!);
registerOfflineShell();
