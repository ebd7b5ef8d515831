import { createResource, For, Show } from 'solid-js';
import type { RpcLike } from '../blocks/workbench-api.ts';
import {
  AIR_ID,
  backend,
  formatUsd,
  lastImageCost,
  recentModels,
  runwareModel,
  sessionCost,
  setBackend,
  setRunwareModel,
} from './runware-backend.ts';

/**
 * The generate panel's backend switch (Local / Runware) and, for Runware, the model field (an
 * AIR id, with recent and popular suggestions), whether a key is set, and what images cost.
 */
export function RunwareBackendControls(props: { rpc: RpcLike; available: () => boolean }) {
  const [view] = createResource(
    () => (props.available() && backend() === 'runware' ? true : null),
    () => props.rpc.call('settings.runware.get'),
  );
  const suggestions = () => {
    const popular = view()?.popular_models ?? [];
    const recent = recentModels().map((id) => ({
      id,
      name: popular.find((model) => model.id === id)?.name ?? 'recent',
    }));
    const seen = new Set(recent.map((model) => model.id));
    return [...recent, ...popular.filter((model) => !seen.has(model.id))];
  };
  return (
    <Show when={props.available()}>
      <div class="field" data-testid="backend-switch" role="radiogroup" aria-label="Backend">
        <span>Backend</span>
        <div class="number-field">
          <label class="check">
            <input
              type="radio"
              name="backend"
              data-testid="backend-local"
              checked={backend() === 'local'}
              onChange={() => setBackend('local')}
            />{' '}
            Local
          </label>
          <label class="check">
            <input
              type="radio"
              name="backend"
              data-testid="backend-runware"
              checked={backend() === 'runware'}
              onChange={() => setBackend('runware')}
            />{' '}
            Runware
          </label>
        </div>
      </div>
      <Show when={backend() === 'runware'}>
        <label class="field" title="A Runware model as an AIR id, e.g. runware:101@1">
          <span>Runware model</span>
          <input
            data-testid="runware-model"
            list="runware-models"
            placeholder="runware:101@1"
            value={runwareModel()}
            classList={{ invalid: !AIR_ID.test(runwareModel()) }}
            onChange={(event) => setRunwareModel(event.currentTarget.value)}
          />
          <datalist id="runware-models">
            <For each={suggestions()}>
              {(model) => <option value={model.id}>{model.name}</option>}
            </For>
          </datalist>
        </label>
        <Show when={view() && !view()!.configured}>
          <p class="hint warn" data-testid="runware-no-key">
            No Runware API key on the server: set one in Settings or with{' '}
            <code>bun run viwo config set runware.api_key KEY</code>.
          </p>
        </Show>
        <p class="cost" data-testid="runware-cost">
          Runware cost:{' '}
          {lastImageCost() === null ? '–' : `${formatUsd(lastImageCost()!)} per image`}, this
          session {formatUsd(sessionCost())}
        </p>
      </Show>
    </Show>
  );
}
