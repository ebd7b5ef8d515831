import { createEffect, createMemo, createSignal, on, onCleanup, onMount, Show } from 'solid-js';
import { errorMessage } from '../blocks/workbench-api.ts';
import { appendImageLayer, freshLayerId } from '../gallery/gallery-actions.ts';
import { recordReplacement } from '../state/canvas-document.ts';
import { replaceCanvas, replaceOutcomeText } from '../state/canvas-replace.ts';
import { settings } from '../state/settings.ts';
import type { Workbench } from '../state/workbench.ts';
import { ChatComposer, type ComposerValue } from './chat-composer.tsx';
import {
  branchCount,
  type ChatConversation,
  type ChatSummary,
  type ChatTurn,
  threadTo,
  treeRows,
} from './chat-model.ts';
import { ChatPicture, type Progress } from './chat-picture.tsx';
import { ChatSidebar } from './chat-sidebar.tsx';
import { ChatThread, ChatTree, type TurnActions } from './chat-thread.tsx';
import './chat.css';

/** Options for a new conversation from the user's saved defaults (Settings). */
function newConversationOptions(capabilities: string[]): Record<string, unknown> {
  const saved = settings();
  const options: Record<string, unknown> = {};
  for (const key of ['width', 'height', 'steps', 'guidance_scale', 'model_id'] as const) {
    const value = saved[key];
    if (typeof value === 'number' || (key === 'model_id' && typeof value === 'string')) {
      options[key] = value;
    }
  }
  if (!capabilities.includes('diffusers.generate') && capabilities.includes('runware')) {
    options.capability = 'runware';
  }
  return options;
}

/**
 * Chat Mode: one picture refined by conversation. The current picture large, the thread that led
 * to it, an input that refines it, branches from any turn, a tree of branches, a before/after
 * compare with the parent, and hand-offs to Layer Mode and Blocks Mode.
 */
export function ChatMode(props: { workbench: Workbench }) {
  const workbench = props.workbench;
  const rpc = workbench.rpc;
  const [summaries, setSummaries] = createSignal<ChatSummary[]>([]);
  const [query, setQuery] = createSignal('');
  const [conversation, setConversation] = createSignal<ChatConversation | null>(null);
  const [currentId, setCurrentId] = createSignal<string | null>(null);
  const [progress, setProgress] = createSignal<Progress | null>(null);
  const [compare, setCompare] = createSignal(false);
  const [view, setView] = createSignal<'thread' | 'tree'>('thread');
  const [branching, setBranching] = createSignal(false);

  const turns = () => conversation()?.turns ?? [];
  const current = createMemo(() => turns().find((turn) => turn.id === currentId()) ?? null);
  const parent = createMemo(() => {
    const turn = current();
    return turn?.parent_id ? (turns().find((entry) => entry.id === turn.parent_id) ?? null) : null;
  });
  const numberOf = (turn: ChatTurn) => turns().findIndex((entry) => entry.id === turn.id) + 1;

  const refreshList = async () => {
    try {
      const text = query().trim();
      setSummaries(await rpc.call('conversations.list', text ? { query: text } : {}));
    } catch (error) {
      workbench.toast('error', `could not list conversations: ${errorMessage(error)}`);
    }
  };

  const open = async (id: string, select?: string) => {
    try {
      const loaded = await rpc.call('conversations.get', { id });
      setConversation(loaded);
      setCurrentId(select ?? loaded.turns.at(-1)?.id ?? null);
      setBranching(false);
      setCompare(false);
    } catch (error) {
      workbench.toast('error', errorMessage(error));
    }
  };

  const send = async (value: ComposerValue): Promise<boolean> => {
    setProgress({ label: 'starting', fraction: 0, preview: null });
    try {
      let target = conversation();
      if (!target) {
        const types = workbench.capabilities().map((entry) => entry.type);
        target = await rpc.call('conversations.create', {
          options: newConversationOptions(types),
        });
        setConversation(target);
      }
      const parentId = currentId();
      const reply = await rpc.call('conversations.send', {
        id: target.id,
        message: value.message,
        ...(parentId ? { parent_turn_id: parentId } : {}),
        ...(value.strength === null ? {} : { options: { strength: value.strength } }),
      });
      await open(target.id, reply.turn.id);
      void refreshList();
      return true;
    } catch (error) {
      workbench.toast('error', errorMessage(error));
      return false;
    } finally {
      setProgress(null);
    }
  };

  const actions: TurnActions = {
    select: (turn) => {
      setCurrentId(turn.id);
      setBranching(false);
    },
    branch: (turn) => {
      setCurrentId(turn.id);
      setBranching(true);
      document.querySelector<HTMLTextAreaElement>('[data-testid="chat-input"]')?.focus();
    },
    openInLayers: (turn) => {
      const script = workbench.script();
      const id = freshLayerId(script, `chat-${turn.image.$image.slice(0, 8)}`);
      recordReplacement(script);
      workbench.setScript(appendImageLayer(script, turn.image, id, `Chat #${numberOf(turn)}`));
      workbench.setMode('layer');
      workbench.toast('info', 'added the picture as a layer');
    },
    openInBlocks: async (turn) => {
      const target = conversation();
      if (!target) return;
      try {
        const { script } = await rpc.call('conversations.export', {
          id: target.id,
          turn_id: turn.id,
        });
        // The script comes from this server's own conversation, not from a file or template.
        const label = `the script of chat picture #${numberOf(turn)}`;
        const outcome = await replaceCanvas(workbench, {
          script,
          label,
          untrusted: null,
          mode: 'blocks',
        });
        const text = replaceOutcomeText(outcome, label);
        if (text) workbench.toast('info', text);
      } catch (error) {
        workbench.toast('error', errorMessage(error));
      }
    },
  };

  const startNew = () => {
    setConversation(null);
    setCurrentId(null);
    setBranching(false);
  };

  const remove = async (id: string) => {
    if (!window.confirm('Delete this conversation and all its pictures?')) return;
    try {
      await rpc.call('conversations.delete', { id });
      if (conversation()?.id === id) startNew();
      void refreshList();
    } catch (error) {
      workbench.toast('error', errorMessage(error));
    }
  };

  onMount(() => {
    void refreshList();
    const off = rpc.on?.('job.progress', (raw) => {
      if (!progress()) return;
      const params = raw as { label: string; fraction: number; preview?: { $image: string } };
      setProgress((before) => ({
        label: params.label,
        fraction: params.fraction,
        preview: params.preview ? params.preview.$image : (before?.preview ?? null),
      }));
    });
    onCleanup(() => off?.());
  });
  createEffect(on(query, () => void refreshList(), { defer: true }));
  createEffect(
    on(
      () => workbench.connection(),
      (state) => state === 'open' && refreshList(),
    ),
  );

  return (
    <div class="chat-mode" data-testid="chat-mode">
      <ChatSidebar
        summaries={summaries()}
        currentId={conversation()?.id ?? null}
        query={query()}
        setQuery={setQuery}
        open={(id) => void open(id)}
        startNew={startNew}
        remove={(id) => void remove(id)}
      />
      <section class="chat-stage">
        <div class="chat-picture-bar">
          <strong>
            {conversation()?.title || (conversation() ? '(untitled)' : 'New conversation')}
          </strong>
          <Show when={parent()}>
            <label class="chat-compare-toggle">
              <input
                type="checkbox"
                data-testid="chat-compare"
                checked={compare()}
                onChange={(event) => setCompare(event.currentTarget.checked)}
              />
              Compare with parent
            </label>
          </Show>
        </div>
        <ChatPicture
          current={current()}
          parent={compare() ? parent() : null}
          numberOf={numberOf}
          progress={progress()}
        />
        <ChatComposer
          busy={progress() !== null}
          hint={
            branching() && current()
              ? `Branching from #${numberOf(current()!)}: "${current()!.message}"`
              : current()
                ? `Refining #${numberOf(current()!)}`
                : 'First message: the prompt of a new picture'
          }
          send={send}
        />
      </section>
      <section class="chat-history">
        <div class="chat-history-tabs" role="tablist">
          <button
            type="button"
            role="tab"
            aria-selected={view() === 'thread'}
            classList={{ selected: view() === 'thread' }}
            onClick={() => setView('thread')}
          >
            Thread
          </button>
          <button
            type="button"
            role="tab"
            data-testid="chat-tree-tab"
            aria-selected={view() === 'tree'}
            classList={{ selected: view() === 'tree' }}
            onClick={() => setView('tree')}
          >
            Branches ({branchCount(turns())})
          </button>
        </div>
        <Show
          when={view() === 'thread'}
          fallback={
            <ChatTree rows={treeRows(turns())} currentId={currentId()} select={actions.select} />
          }
        >
          <ChatThread
            thread={threadTo(turns(), currentId())}
            numberOf={numberOf}
            currentId={currentId()}
            actions={actions}
          />
        </Show>
      </section>
    </div>
  );
}
