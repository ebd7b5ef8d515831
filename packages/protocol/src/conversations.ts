import type { ImageValue } from './wire-values.ts';

/** Generation settings a conversation (or one `conversations.send`) uses. */
export interface ConversationOptions {
  /** Capability type that generates: `diffusers.generate` (default) or `runware`. */
  capability?: string;
  model_id?: string;
  width?: number;
  height?: number;
  steps?: number;
  guidance_scale?: number;
  strength?: number;
  seed?: number;
}

/** One turn: the message, what the interpreter made of it, and the picture it produced. */
export interface ConversationTurn {
  id: string;
  parent_id: string | null;
  message: string;
  prompt: string;
  negative_prompt: string;
  seed: number;
  strength: number | null;
  image: ImageValue;
  /** The script that produced `image` (from the parent's image). */
  script: unknown;
  /** What the interpreter did (`generate` for a first turn; `attribute`, `style`, … after). */
  action: string;
  /** One line saying what changed, as the interpreter put it. */
  explanation: string;
  /** The job that generated `image`. */
  job_id: string;
  created: number;
}

/** A conversation with its turns (a tree through `parent_id`). */
export interface Conversation {
  id: string;
  title: string;
  created: number;
  updated: number;
  options: ConversationOptions;
  turns: ConversationTurn[];
}

/** A conversation in `conversations.list`: no turns, their count and the latest picture. */
export interface ConversationSummary {
  id: string;
  title: string;
  created: number;
  updated: number;
  options: ConversationOptions;
  turn_count: number;
  thumbnail: ImageValue | null;
}

/** `conversations.create` params. */
export interface ConversationCreateParams {
  title?: string;
  options?: ConversationOptions;
}

/** `conversations.send` params. */
export interface ConversationSendParams {
  id: string;
  message: string;
  /** The turn to refine: default the latest; `null` starts a new root in the conversation. */
  parent_turn_id?: string | null;
  /** Overrides of the conversation's options for this turn only. */
  options?: ConversationOptions;
}

/** `conversations.list` params: `query` matches titles, messages and prompts. */
export interface ConversationListParams {
  query?: string;
}

/** `conversations.send` result, sent once the turn's image exists. */
export interface ConversationSendResult {
  turn: ConversationTurn;
  job_id: string;
}
