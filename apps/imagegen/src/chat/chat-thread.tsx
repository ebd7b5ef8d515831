import { For, Show } from 'solid-js';
import { type ChatTurn, imageUrl, type TreeRow } from './chat-model.ts';

/** What a turn card can ask the mode to do. */
export interface TurnActions {
  select(turn: ChatTurn): void;
  branch(turn: ChatTurn): void;
  openInLayers(turn: ChatTurn): void;
  openInBlocks(turn: ChatTurn): void;
}

/** One turn in the thread: thumbnail, message, the interpreter's explanation and prompt, actions. */
function TurnCard(props: {
  turn: ChatTurn;
  number: number;
  current: boolean;
  actions: TurnActions;
}) {
  const turn = () => props.turn;
  return (
    <li
      class="chat-turn"
      classList={{ current: props.current }}
      data-testid="chat-turn"
      data-turn-id={turn().id}
    >
      <button
        type="button"
        class="chat-thumb"
        title="Show this picture"
        onClick={() => props.actions.select(turn())}
      >
        <img src={imageUrl(turn().image)} alt={`turn ${props.number}`} />
      </button>
      <div class="chat-turn-text">
        <div class="chat-message">
          <span class="chat-number">#{props.number}</span> {turn().message}
        </div>
        <div class="chat-explanation" data-testid="chat-explanation">
          {turn().explanation}
        </div>
        <div class="chat-prompt" data-testid="chat-prompt" title="The prompt this turn used">
          {turn().prompt}
          <Show when={turn().negative_prompt}>
            <span class="chat-negative"> · not: {turn().negative_prompt}</span>
          </Show>
        </div>
        <div class="chat-meta">
          seed {turn().seed}
          <Show when={turn().strength !== null}> · strength {turn().strength}</Show> ·{' '}
          {turn().action}
        </div>
        <div class="chat-turn-actions">
          <button
            type="button"
            data-testid="chat-branch"
            onClick={() => props.actions.branch(turn())}
          >
            Branch from here
          </button>
          <button
            type="button"
            data-testid="chat-open-layers"
            onClick={() => props.actions.openInLayers(turn())}
          >
            Open in Layers
          </button>
          <button
            type="button"
            data-testid="chat-open-blocks"
            onClick={() => props.actions.openInBlocks(turn())}
          >
            Open script in Blocks
          </button>
        </div>
      </div>
    </li>
  );
}

/** The thread from the first turn to the current one. */
export function ChatThread(props: {
  thread: ChatTurn[];
  numberOf: (turn: ChatTurn) => number;
  currentId: string | null;
  actions: TurnActions;
}) {
  return (
    <ol class="chat-thread" data-testid="chat-thread">
      <For each={props.thread}>
        {(turn) => (
          <TurnCard
            turn={turn}
            number={props.numberOf(turn)}
            current={turn.id === props.currentId}
            actions={props.actions}
          />
        )}
      </For>
    </ol>
  );
}

/** Every turn as an indented tree; clicking a row makes it the current picture. */
export function ChatTree(props: {
  rows: TreeRow[];
  currentId: string | null;
  select: (turn: ChatTurn) => void;
}) {
  return (
    <ul class="chat-tree" data-testid="chat-tree">
      <For each={props.rows}>
        {(row) => (
          <li
            class="chat-tree-row"
            classList={{ current: row.turn.id === props.currentId }}
            style={{ 'padding-left': `${row.depth * 16 + 4}px` }}
            data-testid="chat-tree-row"
            data-depth={row.depth}
          >
            <button type="button" onClick={() => props.select(row.turn)}>
              <img src={imageUrl(row.turn.image)} alt="" />
              <span>
                #{row.number} {row.turn.message}
              </span>
            </button>
          </li>
        )}
      </For>
    </ul>
  );
}
