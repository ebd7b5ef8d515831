import { render } from 'solid-js/web';
import { newCanvasScript } from './layer/layer-mode.tsx';
import { registerOfflineShell } from './offline/register-offline-shell.ts';
import { defaultRpcUrl, RpcClient } from './rpc/rpc-client.ts';
import { App } from './shell/app.tsx';
import { persistedScript } from './state/settings.ts';
import { createWorkbench } from './state/workbench.ts';
import './shell/app.css';

const saved = persistedScript(newCanvasScript);
const rpc = new RpcClient(defaultRpcUrl(window.location));
const workbench = createWorkbench(rpc, saved.value());
// The script survives reloads; the automation hook lets browser tests drive and inspect it.
const originalSet = workbench.setScript;
workbench.setScript = (script: unknown) => {
  originalSet(script);
  saved.set(script);
};
(window as unknown as { __viwo: unknown }).__viwo = { workbench, rpc };
render(() => <App workbench={workbench} />, document.getElementById('root')!);
registerOfflineShell();
