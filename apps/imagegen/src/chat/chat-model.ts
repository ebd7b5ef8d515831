/**
 * Conversation shapes as `conversations.*` serves them (ARCHITECTURE.md, Conversations) and the
 * pure tree helpers Chat Mode renders from.
 */
import {
  type Conversation,
  type ConversationSummary,
  type ConversationTurn,
  type ImageValue,
  imagePath,
} from '@viwo/protocol';

/** One turn of a conversation. */
export type ChatTurn = ConversationTurn;

/** A conversation with all its turns (oldest first). */
export type ChatConversation = Conversation;

/** A conversation in the list. */
export type ChatSummary = ConversationSummary;

/** A line of the tree view: the turn, its depth, and its number (#1 is the first turn). */
export interface TreeRow {
  turn: ChatTurn;
  depth: number;
  number: number;
}

/** The URL the server serves an image at. */
export function imageUrl(image: ImageValue): string {
  return imagePath(image);
}

/** The turns from the root down to `turnId` (the thread shown for the current picture). */
export function threadTo(turns: readonly ChatTurn[], turnId: string | null): ChatTurn[] {
  const byId = new Map(turns.map((turn) => [turn.id, turn]));
  const thread: ChatTurn[] = [];
  for (let turn = turnId ? byId.get(turnId) : undefined; turn; ) {
    thread.unshift(turn);
    turn = turn.parent_id ? byId.get(turn.parent_id) : undefined;
  }
  return thread;
}

/** Every turn in depth-first order with its depth, children in creation order. */
export function treeRows(turns: readonly ChatTurn[]): TreeRow[] {
  const number = new Map(turns.map((turn, index) => [turn.id, index + 1]));
  const children = new Map<string | null, ChatTurn[]>();
  for (const turn of turns) {
    const key = turn.parent_id && number.has(turn.parent_id) ? turn.parent_id : null;
    children.set(key, [...(children.get(key) ?? []), turn]);
  }
  const rows: TreeRow[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const turn of children.get(parent) ?? []) {
      rows.push({ turn, depth, number: number.get(turn.id)! });
      walk(turn.id, depth + 1);
    }
  };
  walk(null, 0);
  return rows;
}

/** How many branches the conversation has (turns with more than one child add one each). */
export function branchCount(turns: readonly ChatTurn[]): number {
  const counts = new Map<string, number>();
  let roots = 0;
  for (const turn of turns) {
    if (turn.parent_id === null) roots++;
    else counts.set(turn.parent_id, (counts.get(turn.parent_id) ?? 0) + 1);
  }
  let branches = Math.max(roots, 1);
  for (const count of counts.values()) branches += count - 1;
  return turns.length === 0 ? 0 : branches;
}
