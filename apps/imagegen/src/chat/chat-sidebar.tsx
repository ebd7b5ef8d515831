import { For, Show } from 'solid-js';
import { type ChatSummary, imageUrl } from './chat-model.ts';

/** The conversations to resume, newest first, with search and a "New" button. */
export function ChatSidebar(props: {
  summaries: ChatSummary[];
  currentId: string | null;
  query: string;
  setQuery: (query: string) => void;
  open: (id: string) => void;
  startNew: () => void;
  remove: (id: string) => void;
}) {
  return (
    <aside class="chat-sidebar">
      <div class="chat-sidebar-head">
        <button type="button" class="primary" data-testid="chat-new" onClick={props.startNew}>
          New conversation
        </button>
        <input
          type="search"
          placeholder="Search conversations"
          aria-label="Search conversations"
          data-testid="chat-search"
          value={props.query}
          onInput={(event) => props.setQuery(event.currentTarget.value)}
        />
      </div>
      <ul class="chat-list">
        <For
          each={props.summaries}
          fallback={<li class="chat-empty">No conversations yet: type a prompt to start one.</li>}
        >
          {(summary) => (
            <li
              class="chat-list-item"
              classList={{ current: summary.id === props.currentId }}
              data-testid="chat-conversation"
            >
              <button type="button" class="chat-open" onClick={() => props.open(summary.id)}>
                <Show when={summary.thumbnail} fallback={<span class="chat-list-blank" />}>
                  <img src={imageUrl(summary.thumbnail!)} alt="" />
                </Show>
                <span class="chat-list-text">
                  <span class="chat-list-title">{summary.title || '(untitled)'}</span>
                  <span class="chat-list-meta">
                    {summary.turn_count} turn{summary.turn_count === 1 ? '' : 's'}
                  </span>
                </span>
              </button>
              <button
                type="button"
                class="icon"
                title="Delete conversation"
                onClick={() => props.remove(summary.id)}
              >
                ✕
              </button>
            </li>
          )}
        </For>
      </ul>
    </aside>
  );
}
