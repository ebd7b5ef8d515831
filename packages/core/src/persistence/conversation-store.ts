import { randomUUID } from 'node:crypto';
import type {
  Conversation,
  ConversationOptions,
  ConversationSummary,
  ConversationTurn,
  ImageValue,
} from '@viwo/protocol';
import { coreError } from '../errors.ts';
import { escapeLike } from './history-store.ts';
import type { SqlDatabase, SqlValue } from './sql-database.ts';

export type { Conversation, ConversationOptions, ConversationSummary, ConversationTurn };

/** Who may see a conversation: `undefined` sees all (admin, local), a string only its own. */
export type OwnerScope = string | undefined;

interface ConversationRow {
  id: string;
  owner: string | null;
  title: string;
  options: string;
  created: number;
  updated: number;
}

interface TurnRow {
  id: string;
  conversation_id: string;
  parent_id: string | null;
  message: string;
  prompt: string;
  negative_prompt: string;
  seed: number;
  strength: number | null;
  image: string;
  script: string;
  action: string;
  explanation: string;
  job_id: string;
  created: number;
}

function toTurn(row: TurnRow): ConversationTurn {
  return {
    id: row.id,
    parent_id: row.parent_id,
    message: row.message,
    prompt: row.prompt,
    negative_prompt: row.negative_prompt,
    seed: row.seed,
    strength: row.strength,
    image: JSON.parse(row.image) as ImageValue,
    script: JSON.parse(row.script),
    action: row.action,
    explanation: row.explanation,
    job_id: row.job_id,
    created: row.created,
  };
}

/** A turn as `addTurn` takes it (the store assigns `id` and `created`). */
export type NewTurn = Omit<ConversationTurn, 'id' | 'created'>;

/**
 * Conversations and their turns in SQLite (migration `conversations`). Turns reference their
 * parent turn; deleting a conversation deletes its turns. Every write is one transaction, so a
 * failed send leaves nothing behind.
 */
export class ConversationStore {
  constructor(private readonly db: SqlDatabase) {}

  /** Creates an empty conversation. */
  create(title: string, options: ConversationOptions, owner: string | null): Conversation {
    const now = Date.now();
    const id = randomUUID();
    this.db.run(
      'INSERT INTO conversations (id, owner, title, options, created, updated) VALUES (?, ?, ?, ?, ?, ?)',
      [id, owner, title, JSON.stringify(options), now, now],
    );
    return { id, title, created: now, updated: now, options, turns: [] };
  }

  /** A conversation with all its turns; NotFound (also for another owner's) otherwise. */
  get(id: string, scope: OwnerScope): Conversation {
    const row = this.row(id, scope);
    const turns = this.db
      .all<TurnRow>(
        'SELECT * FROM conversation_turns WHERE conversation_id = ? ORDER BY created, rowid',
        [id],
      )
      .map(toTurn);
    return {
      id: row.id,
      title: row.title,
      created: row.created,
      updated: row.updated,
      options: JSON.parse(row.options) as ConversationOptions,
      turns,
    };
  }

  /** Conversations newest first; `query` matches the title, a message or a prompt. */
  list(scope: OwnerScope, query?: string): ConversationSummary[] {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (scope !== undefined) {
      where.push('c.owner = ?');
      params.push(scope);
    }
    if (query && query.trim().length > 0) {
      const like = `%${escapeLike(query.trim())}%`;
      where.push(
        `(c.title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM conversation_turns t WHERE t.conversation_id = c.id AND (t.message LIKE ? ESCAPE '\\' OR t.prompt LIKE ? ESCAPE '\\')))`,
      );
      params.push(like, like, like);
    }
    const rows = this.db.all<ConversationRow & { turn_count: number; thumbnail: string | null }>(
      `SELECT c.*,
         (SELECT COUNT(*) FROM conversation_turns t WHERE t.conversation_id = c.id) AS turn_count,
         (SELECT t.image FROM conversation_turns t WHERE t.conversation_id = c.id
            ORDER BY t.created DESC, t.rowid DESC LIMIT 1) AS thumbnail
       FROM conversations c ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY c.updated DESC, c.rowid DESC`,
      params,
    );
    return rows.map((row) => ({
      id: row.id,
      title: row.title,
      created: row.created,
      updated: row.updated,
      options: JSON.parse(row.options) as ConversationOptions,
      turn_count: row.turn_count,
      thumbnail: row.thumbnail ? (JSON.parse(row.thumbnail) as ImageValue) : null,
    }));
  }

  /** One turn of a conversation, or NotFound naming both ids. */
  turn(conversationId: string, turnId: string): ConversationTurn {
    const row = this.db.get<TurnRow>(
      'SELECT * FROM conversation_turns WHERE id = ? AND conversation_id = ?',
      [turnId, conversationId],
    );
    if (!row) {
      throw coreError(
        'NotFound',
        `turn ${JSON.stringify(turnId)} is not in conversation ${JSON.stringify(conversationId)} (deleted, or never existed)`,
      );
    }
    return toTurn(row);
  }

  /** The most recent turn, or null for an empty conversation. */
  latestTurn(conversationId: string): ConversationTurn | null {
    const row = this.db.get<TurnRow>(
      'SELECT * FROM conversation_turns WHERE conversation_id = ? ORDER BY created DESC, rowid DESC LIMIT 1',
      [conversationId],
    );
    return row ? toTurn(row) : null;
  }

  /**
   * Appends a turn (and names an untitled conversation after its first message) in one
   * transaction; NotFound if the conversation or the parent turn went away meanwhile.
   */
  addTurn(conversationId: string, turn: NewTurn, scope: OwnerScope): ConversationTurn {
    return this.db.transaction(() => {
      const row = this.row(conversationId, scope);
      if (turn.parent_id !== null) this.turn(conversationId, turn.parent_id);
      const now = Math.max(Date.now(), row.updated);
      const id = randomUUID();
      this.db.run(
        `INSERT INTO conversation_turns (id, conversation_id, parent_id, message, prompt,
           negative_prompt, seed, strength, image, script, action, explanation, job_id, created)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          id,
          conversationId,
          turn.parent_id,
          turn.message,
          turn.prompt,
          turn.negative_prompt,
          turn.seed,
          turn.strength,
          JSON.stringify(turn.image),
          JSON.stringify(turn.script),
          turn.action,
          turn.explanation,
          turn.job_id,
          now,
        ],
      );
      const title = row.title === '' ? turn.message.slice(0, 80) : row.title;
      this.db.run('UPDATE conversations SET updated = ?, title = ? WHERE id = ?', [
        now,
        title,
        conversationId,
      ]);
      return { ...turn, id, created: now };
    });
  }

  /** Deletes a conversation and its turns; NotFound if there is none (for this owner). */
  delete(id: string, scope: OwnerScope): void {
    this.db.transaction(() => {
      this.row(id, scope);
      this.db.run('DELETE FROM conversation_turns WHERE conversation_id = ?', [id]);
      this.db.run('DELETE FROM conversations WHERE id = ?', [id]);
    });
  }

  /** Image hashes every turn refers to (kept by `gc`). */
  referencedImages(): string[] {
    return this.db
      .all<{ image: string }>('SELECT image FROM conversation_turns')
      .map((row) => (JSON.parse(row.image) as ImageValue).$image);
  }

  private row(id: string, scope: OwnerScope): ConversationRow {
    const row = this.db.get<ConversationRow>('SELECT * FROM conversations WHERE id = ?', [id]);
    if (!row || (scope !== undefined && row.owner !== scope)) {
      throw coreError('NotFound', `no conversation ${JSON.stringify(id)}`);
    }
    return row;
  }
}
