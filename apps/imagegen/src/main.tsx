import { render } from 'solid-js/web';
import { newCanvasScript } from './layer/layer-mode.tsx';
import { defaultRpcUrl, RpcClient } from './rpc/rpc-client.ts';
import { App } from './shell/app.tsx';
import { createWorkbench } from './state/workbench.ts';
import './shell/app.css';

const SCRIPT_KEY = 'viwo.imagegen.script';

function savedScript(): unknown {
  try {
    const saved = localStorage.getItem(SCRIPT_KEY);
    return saved ? JSON.parse(saved) : newCanvasScript();
  } catch {
    return newCanvasScript();
  }
}

const rpc = new RpcClient(defaultRpcUrl(window.location));
const workbench = createWorkbench(rpc, savedScript());
// The script survives reloads; the automation hook lets browser tests drive and inspect it.
const persist = () => localStorage.setItem(SCRIPT_KEY, JSON.stringify(workbench.script()));
const originalSet = workbench.setScript;
workbench.setScript = (script: unknown) => {
  originalSet(script);
  persist();
};
(window as unknown as { __viwo: unknown }).__viwo = { workbench, rpc };
render(() => <App workbench={workbench} />, document.getElementById('root')!);
