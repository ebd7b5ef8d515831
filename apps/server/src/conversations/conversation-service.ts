import {
  accessScopeOf,
  type Conversation,
  type ConversationOptions,
  type ConversationSummary,
  type ConversationTurn,
  coreError,
  type ImageValue,
  isImageValue,
  type OwnerScope,
  type Runtime,
  type Session,
} from '@viwo/core';
import type { SendOverrides } from './conversation-params.ts';
import { exportScript, type TurnGeneration, turnScript } from './conversation-scripts.ts';

/** What `conversations.send` answers once the turn's picture exists. */
export interface SendResult {
  turn: ConversationTurn;
  job_id: string;
}

/** What the refine capability answers (ARCHITECTURE.md, Conversations). */
interface Interpretation {
  prompt: string;
  negative_prompt: string;
  strength: number;
  action: string;
  explanation: string;
}

/** A send: the message, which turn it refines (null: a new root), and per-send overrides. */
export interface SendRequest {
  id: string;
  message: string;
  /** Undefined refines the latest turn; null starts a new root in the same conversation. */
  parent_turn_id?: string | null;
  overrides?: SendOverrides;
}

/**
 * The owner a session's conversations are stored under: its signed-in user (as for jobs,
 * history and templates), or nobody on a server without users.
 */
export function ownerOf(session: Session): string | null {
  return accessScopeOf(session.principal).owner;
}

/** Which conversations a session may see: an admin or a server without users sees all. */
export function scopeOf(session: Session): OwnerScope {
  const scope = accessScopeOf(session.principal);
  return scope.all ? undefined : (scope.owner ?? '');
}

function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}

function imageOf(result: unknown): ImageValue {
  const image = Array.isArray(result) ? result[0] : result;
  if (!isImageValue(image)) {
    throw coreError('PluginError', 'the generation returned no image');
  }
  return { $image: image.$image, width: image.width, height: image.height };
}

function asInterpretation(value: unknown): Interpretation {
  const record = value as Partial<Interpretation> | null;
  if (
    typeof record?.prompt !== 'string' ||
    typeof record.negative_prompt !== 'string' ||
    typeof record.strength !== 'number' ||
    typeof record.action !== 'string' ||
    typeof record.explanation !== 'string'
  ) {
    throw coreError('PluginError', 'the refine capability answered without a prompt and strength');
  }
  return record as Interpretation;
}

/**
 * Conversations over the runtime: a first turn is text-to-image from the message; a later one is
 * the message interpreted (capability `refine`) against its parent's prompt, then image-to-image
 * from the parent's picture with the parent's seed. The turn is written only after its picture
 * exists, in one transaction, so a failure anywhere leaves nothing half-written.
 */
export class ConversationService {
  constructor(private readonly runtime: Runtime) {}

  /** Creates an empty conversation owned by the session's principal. */
  create(session: Session, title: string, options: ConversationOptions): Conversation {
    return this.runtime.conversations.create(title, options, ownerOf(session));
  }

  /** Conversations the session may see, newest first, optionally filtered by text. */
  list(session: Session, query?: string): ConversationSummary[] {
    return this.runtime.conversations.list(scopeOf(session), query);
  }

  /** One conversation with all its turns. */
  get(session: Session, id: string): Conversation {
    return this.runtime.conversations.get(id, scopeOf(session));
  }

  /** Deletes a conversation and its turns. */
  delete(session: Session, id: string): void {
    this.runtime.conversations.delete(id, scopeOf(session));
  }

  /** Generates the next turn; resolves once its picture is stored and the turn is written. */
  async send(session: Session, request: SendRequest): Promise<SendResult> {
    const scope = scopeOf(session);
    const conversation = this.runtime.conversations.get(request.id, scope);
    const store = this.runtime.conversations;
    const parent =
      request.parent_turn_id === null
        ? null
        : request.parent_turn_id === undefined
          ? store.latestTurn(conversation.id)
          : store.turn(conversation.id, request.parent_turn_id);
    const overrides = request.overrides ?? {};
    // Per-turn overrides win over the conversation's options for this turn only.
    const options = { ...conversation.options, ...overrides };
    let generation: TurnGeneration;
    let action = 'generate';
    let explanation = 'Generated a new picture from the message.';
    if (parent === null) {
      generation = {
        prompt: request.message,
        negative_prompt: '',
        seed: options.seed ?? randomSeed(),
        strength: null,
        image: null,
      };
    } else {
      const interpretation = asInterpretation(
        await session.callMethod(session.getCapability('refine'), 'interpret', [
          parent.prompt,
          request.message,
          { negative_prompt: parent.negative_prompt },
        ]),
      );
      action = interpretation.action;
      explanation = interpretation.explanation;
      generation = {
        prompt: interpretation.prompt,
        negative_prompt: interpretation.negative_prompt,
        // The parent's seed keeps the picture's identity; only an explicit per-turn seed changes it.
        seed: overrides.seed ?? parent.seed,
        strength: overrides.strength ?? conversation.options.strength ?? interpretation.strength,
        image: parent.image,
      };
    }
    const script = turnScript(options, generation);
    const result = await session.executeScript(script);
    const turn = store.addTurn(
      conversation.id,
      {
        parent_id: parent?.id ?? null,
        message: request.message,
        prompt: generation.prompt,
        negative_prompt: generation.negative_prompt,
        seed: generation.seed,
        strength: generation.strength,
        image: imageOf(result.result),
        script,
        action,
        explanation,
        job_id: result.job_id,
      },
      scope,
    );
    return { turn, job_id: result.job_id };
  }

  /** A script reproducing a turn's picture (default: the latest turn) from nothing. */
  export(session: Session, id: string, turnId?: string): { script: unknown[] } {
    const conversation = this.runtime.conversations.get(id, scopeOf(session));
    const byId = new Map(conversation.turns.map((turn) => [turn.id, turn]));
    const last =
      turnId === undefined
        ? conversation.turns.at(-1)
        : this.runtime.conversations.turn(id, turnId);
    if (!last) throw coreError('NotFound', `conversation ${JSON.stringify(id)} has no turns yet`);
    const chain: ConversationTurn[] = [];
    for (let turn: ConversationTurn | undefined = last; turn; ) {
      chain.unshift(turn);
      turn = turn.parent_id === null ? undefined : byId.get(turn.parent_id);
    }
    return { script: exportScript(chain) };
  }
}
