import { createSignal, For, lazy, Match, Show, Suspense, Switch } from 'solid-js';
import { AccountBadge } from '../auth/account-badge.tsx';
import { authedSrc } from '../auth/authed-image.ts';
import { WorkbenchContext } from '../blocks/workbench-api.ts';
import { ChatMode } from '../chat/chat-mode.tsx';
import { GalleryPanel } from '../gallery/gallery-panel.tsx';
import { LayerMode } from '../layer/layer-mode.tsx';
import { ModelsButton } from '../models/models-button.tsx';
import { ModelsPanel } from '../models/models-panel.tsx';
import { queueClient } from '../state/queue-client.ts';
import { theme } from '../state/settings.ts';
import type { Workbench } from '../state/workbench.ts';
import { TemplatesPanel } from '../templates/templates-panel.tsx';
import { closeOnEscape } from './escape-stack.ts';
import { FileDrop } from './file-drop.tsx';
import { QueuePanel } from './queue-panel.tsx';
import { ReplaceDialog } from './replace-dialog.tsx';
import { SettingsPanel } from './settings-panel.tsx';
import { ShortcutHelp } from './shortcut-help.tsx';

// Blockly is most of the client's code: Blocks Mode loads it on first open, not with the page.
const BlocksMode = lazy(() =>
  import('../blocks/blocks-mode.tsx').then((module) => ({ default: module.BlocksMode })),
);

const CONNECTION_LABEL = {
  connecting: 'Connecting…',
  open: 'Connected',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

/** The app shell: header (modes, connection, theme), the active mode, side drawers, queue, toasts. */
export function App(props: { workbench: Workbench }) {
  const workbench = props.workbench;
  const [drawer, setDrawer] = createSignal<
    'none' | 'templates' | 'gallery' | 'settings' | 'models' | 'queue'
  >('none');
  document.documentElement.dataset.theme = theme.value();
  closeOnEscape(
    () => drawer() !== 'none',
    () => setDrawer('none'),
  );
  const toggleTheme = () => {
    const next = theme.value() === 'dark' ? 'light' : 'dark';
    theme.set(next);
    document.documentElement.dataset.theme = next;
  };
  const eta = (ms: number | null) =>
    ms === null ? '' : ms > 1000 ? ` · ${Math.round(ms / 1000)} s left` : ' · <1 s left';
  return (
    <WorkbenchContext.Provider value={workbench}>
      <div class="app">
        <header class="app-header">
          <strong class="brand">viwo imagegen</strong>
          <nav class="mode-switch">
            <button
              type="button"
              data-testid="mode-layer"
              classList={{ selected: workbench.mode() === 'layer' }}
              onClick={() => workbench.setMode('layer')}
            >
              Layers
            </button>
            <button
              type="button"
              data-testid="mode-blocks"
              classList={{ selected: workbench.mode() === 'blocks' }}
              onClick={() => workbench.setMode('blocks')}
            >
              Blocks
            </button>
            <button
              type="button"
              data-testid="mode-chat"
              classList={{ selected: workbench.mode() === 'chat' }}
              onClick={() => workbench.setMode('chat')}
            >
              Chat
            </button>
          </nav>
          <div class="header-actions">
            <button
              type="button"
              data-testid="open-templates"
              classList={{ selected: drawer() === 'templates' }}
              onClick={() => setDrawer(drawer() === 'templates' ? 'none' : 'templates')}
            >
              Templates
            </button>
            <button
              type="button"
              data-testid="open-gallery"
              classList={{ selected: drawer() === 'gallery' }}
              onClick={() => setDrawer(drawer() === 'gallery' ? 'none' : 'gallery')}
            >
              Gallery
            </button>
            <ModelsButton drawer={drawer} setDrawer={setDrawer} />
            <button
              type="button"
              data-testid="open-queue"
              classList={{ selected: drawer() === 'queue' }}
              onClick={() => setDrawer(drawer() === 'queue' ? 'none' : 'queue')}
            >
              Queue
            </button>
            <button
              type="button"
              data-testid="open-settings"
              classList={{ selected: drawer() === 'settings' }}
              onClick={() => setDrawer(drawer() === 'settings' ? 'none' : 'settings')}
            >
              Settings
            </button>
            <button type="button" onClick={toggleTheme} title="Toggle light/dark theme">
              {theme.value() === 'dark' ? '☀' : '☾'}
            </button>
            <AccountBadge />
            <span
              class={`connection connection-${workbench.connection()}`}
              data-testid="connection-state"
            >
              {CONNECTION_LABEL[workbench.connection()]}
            </span>
          </div>
        </header>
        <div class="app-body">
          <div class="mode-area">
            <Switch>
              <Match when={workbench.mode() === 'layer'}>
                <LayerMode workbench={workbench} />
              </Match>
              <Match when={workbench.mode() === 'blocks'}>
                <Suspense fallback={<p class="loading">Loading Blocks Mode…</p>}>
                  <BlocksMode workbench={workbench} />
                </Suspense>
              </Match>
              <Match when={workbench.mode() === 'chat'}>
                <ChatMode workbench={workbench} />
              </Match>
            </Switch>
          </div>
          <Show when={drawer() !== 'none'}>
            <aside class="drawer" data-testid="drawer">
              <Switch>
                <Match when={drawer() === 'templates'}>
                  <TemplatesPanel workbench={workbench} />
                </Match>
                <Match when={drawer() === 'gallery'}>
                  <GalleryPanel workbench={workbench} />
                </Match>
                <Match when={drawer() === 'models'}>
                  <ModelsPanel rpc={workbench.rpc} />
                </Match>
                <Match when={drawer() === 'queue'}>
                  <QueuePanel workbench={workbench} queue={queueClient()} />
                </Match>
                <Match when={drawer() === 'settings'}>
                  <SettingsPanel workbench={workbench} />
                </Match>
              </Switch>
            </aside>
          </Show>
        </div>
        <section class="queue" data-testid="queue">
          <For each={workbench.jobs().slice(0, 4)}>
            {(job) => (
              <div class="job" data-testid="job" data-status={job.status} data-job-id={job.jobId}>
                <Show when={job.preview}>
                  <img class="job-preview" src={authedSrc(job.preview!)} alt="preview" />
                </Show>
                <div class="job-text">
                  {job.label || 'job'}
                  {job.done && job.status !== 'done'
                    ? ` · ${job.status}`
                    : ` · ${Math.round(job.fraction * 100)}%${job.done ? ' · done' : eta(job.etaMs)}`}
                  <Show when={job.worker}>
                    <span class="job-worker" data-testid="job-worker">
                      {' '}
                      · on {job.worker}
                    </span>
                  </Show>
                </div>
                <div class="progress">
                  <div
                    class="progress-fill"
                    style={{ width: `${Math.round(job.fraction * 100)}%` }}
                  />
                </div>
                <Show when={!job.done}>
                  <button
                    type="button"
                    class="icon"
                    data-testid="cancel-job"
                    title="Cancel"
                    onClick={() =>
                      void workbench.rpc
                        .call('job.cancel', { job_id: job.jobId })
                        .catch(() => undefined)
                    }
                  >
                    ✕
                  </button>
                </Show>
              </div>
            )}
          </For>
        </section>
        <FileDrop workbench={workbench} />
        <ReplaceDialog />
        <ShortcutHelp />
        <div class="toasts">
          <For each={workbench.toasts()}>
            {(toast) => (
              <div class={`toast toast-${toast.kind}`} data-testid="toast" role="status">
                {toast.text}
              </div>
            )}
          </For>
        </div>
      </div>
    </WorkbenchContext.Provider>
  );
}
