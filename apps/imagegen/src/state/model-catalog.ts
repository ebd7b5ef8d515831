/**
 * What each installed model is (family, native size, purpose, test or real), from `models.list`,
 * so the model picker can say it: "tiny-sd15 — sd15 · 64 px · txt2img · test".
 */
import type { ModelSummary } from '@viwo/protocol';
import { createSignal } from 'solid-js';
import type { RpcClient } from '../rpc/rpc-client.ts';

const [models, setModels] = createSignal<ModelSummary[]>([]);

/** Keeps the catalogue current: loaded on every (re)connect. */
export function watchModelCatalog(rpc: RpcClient): void {
  const load = () =>
    rpc.call('models.list').then(
      (list) => setModels(Array.isArray(list) ? list : []),
      // An older server without models.list: the picker shows bare ids.
      () => undefined,
    );
  rpc.onState((state) => {
    if (state === 'open') void load();
  });
  if (rpc.state === 'open') void load();
}

/** The picker's text for a model id: the id with what the model is, when known. */
export function modelLabel(id: string): string {
  const model = models().find((entry) => entry.id === id);
  if (!model) return id;
  const parts = [
    model.family,
    model.native_size ? `${model.native_size} px` : undefined,
    model.purposes.join('/'),
    model.kind,
    model.default ? 'default' : undefined,
  ].filter(Boolean);
  return `${id} — ${parts.join(' · ')}`;
}
