import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type {
  Conversation,
  ConversationOptions,
  ConversationTurn,
  Principal,
  Runtime,
  Session,
} from '@viwo/core';
import {
  conversationOptions,
  messageParam,
  type SendOverrides,
} from './conversations/conversation-params.ts';
import { ConversationService } from './conversations/conversation-service.ts';

/** Where the REPL writes: answers on stdout, progress and errors on stderr. */
export interface ChatIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress redraws in place) or a pipe (one line per update). */
  interactive: boolean;
}

/** Flags of `viwo chat`. */
export interface ChatFlags {
  conversation?: string;
  /**
   * Whom the REPL acts as (`--user NAME`, see chat-user.ts): a user's principal scopes its
   * conversations, history and images and charges their quota. Default: the local operator `cli`.
   */
  principal?: Principal | string;
  /** Options for conversations this REPL creates (`--steps`, `--width`, `--model`, …). */
  options: Record<string, unknown>;
}

const HELP = `commands: a line refines the current picture ·
  /new PROMPT   start a new conversation   /back [N]     go N turns up (default 1)
  /branch TURN  continue from a turn (#N from /history, or an id)
  /strength X   img2img strength for next turns (0.01-1, or "auto")
  /seed N       seed for next turns         /history      the turns as a tree
  /save FILE    write the current picture   /export FILE  write the script reproducing it
  /quit`;

/** A REPL state: the open conversation, the turn the next line refines, and overrides. */
class ChatState {
  conversation: Conversation | null = null;
  current: ConversationTurn | null = null;
  overrides: SendOverrides = {};
}

function bar(fraction: number, width = 24): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** The turns of a conversation as a tree, numbered in creation order (#1 is the first). */
export function historyLines(
  conversation: Conversation,
  current: ConversationTurn | null,
): string[] {
  const number = new Map(conversation.turns.map((turn, index) => [turn.id, index + 1]));
  const children = new Map<string | null, ConversationTurn[]>();
  for (const turn of conversation.turns) {
    const siblings = children.get(turn.parent_id) ?? [];
    siblings.push(turn);
    children.set(turn.parent_id, siblings);
  }
  const lines: string[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const turn of children.get(parent) ?? []) {
      const mark = turn.id === current?.id ? '*' : ' ';
      lines.push(
        `${mark} ${'  '.repeat(depth)}#${number.get(turn.id)} ${turn.id.slice(0, 8)}  "${turn.message}" → ${turn.prompt}`,
      );
      walk(turn.id, depth + 1);
    }
  };
  walk(null, 0);
  return lines;
}

/**
 * `viwo chat`: conversations as a terminal REPL over an in-process runtime (the same database
 * the server uses). Reads lines from stdin — a terminal or a pipe — until EOF or `/quit`.
 */
export async function runChat(runtime: Runtime, flags: ChatFlags, io: ChatIo): Promise<number> {
  const session = runtime.openSession(flags.principal ?? 'cli');
  const service = new ConversationService(runtime);
  const state = new ChatState();
  let lastProgress = '';
  session.setNotifier((method, params) => {
    if (method !== 'job.progress') return;
    const { fraction, step, total, label } = params as {
      fraction: number;
      step: number;
      total: number;
      label: string;
    };
    const line = `${bar(fraction)} ${step}/${total} ${label}`;
    if (line === lastProgress) return;
    lastProgress = line;
    io.err(io.interactive ? `\r${line}` : `${line}\n`);
  });
  const options = conversationOptions(
    flags.options,
    runtime.capabilityMetadata().map((entry) => entry.type),
  );
  if (flags.conversation) {
    state.conversation = service.get(session, flags.conversation);
    state.current = state.conversation.turns.at(-1) ?? null;
    io.out(`resumed "${state.conversation.title}" (${state.conversation.turns.length} turns)\n`);
  }
  const step = (line: string) =>
    handleLine(line, { runtime, session, service, state, io, options });
  let failures = 0;
  const input = createInterface({ input: process.stdin, terminal: false });
  for await (const raw of input) {
    const line = raw.trim();
    if (line.length === 0) continue;
    if (line === '/quit' || line === '/exit') break;
    try {
      await step(line);
    } catch (error) {
      failures++;
      if (io.interactive && lastProgress) io.err('\n');
      io.err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    } finally {
      lastProgress = '';
    }
  }
  input.close();
  session.close();
  return failures > 0 ? 1 : 0;
}

interface ChatContext {
  runtime: Runtime;
  session: Session;
  service: ConversationService;
  state: ChatState;
  io: ChatIo;
  options: ConversationOptions;
}

function announce(context: ChatContext, turn: ConversationTurn, jobDone: boolean): void {
  const { io, state } = context;
  if (jobDone && io.interactive) io.err('\n');
  const number = (state.conversation?.turns.findIndex((entry) => entry.id === turn.id) ?? -1) + 1;
  const strength = turn.strength === null ? '' : `, strength ${turn.strength}`;
  io.out(`#${number} ${turn.action}${strength}: ${turn.explanation}\n`);
  io.out(`   prompt: ${turn.prompt}\n`);
  if (turn.negative_prompt) io.out(`   negative: ${turn.negative_prompt}\n`);
  io.out(
    `   image: ${turn.image.$image} (${turn.image.width}×${turn.image.height}, seed ${turn.seed})\n`,
  );
}

async function sendLine(context: ChatContext, line: string): Promise<void> {
  const { service, session, state } = context;
  // The same checks as conversations.send (empty, too long), before anything is created.
  const message = messageParam({ message: line });
  let created: Conversation | null = null;
  if (!state.conversation) {
    created = service.create(session, '', context.options);
    state.conversation = created;
  }
  const id = state.conversation.id;
  let turn: ConversationTurn;
  try {
    ({ turn } = await service.send(session, {
      id,
      message,
      parent_turn_id: state.current?.id ?? null,
      overrides: state.overrides,
    }));
  } catch (error) {
    // A first turn that fails (over quota, a model error) leaves no empty conversation behind.
    if (created) {
      service.delete(session, created.id);
      state.conversation = null;
    }
    throw error;
  }
  if (created) context.io.out(`conversation ${id}\n`);
  state.conversation = service.get(session, id);
  state.current = turn;
  announce(context, turn, true);
}

function findTurn(conversation: Conversation, reference: string): ConversationTurn {
  const byNumber = /^#?(\d+)$/.exec(reference);
  const found = byNumber
    ? conversation.turns[Number(byNumber[1]) - 1]
    : conversation.turns.find((turn) => turn.id === reference || turn.id.startsWith(reference));
  if (!found) throw new Error(`no turn ${reference} in this conversation (see /history)`);
  return found;
}

function requireTurn(state: ChatState): { conversation: Conversation; turn: ConversationTurn } {
  if (!state.conversation || !state.current) throw new Error('no picture yet: type a prompt first');
  return { conversation: state.conversation, turn: state.current };
}

async function handleLine(line: string, context: ChatContext): Promise<void> {
  const { io, state, service, session, runtime } = context;
  if (!line.startsWith('/')) return sendLine(context, line);
  const [command = '', ...rest] = line.split(/\s+/);
  const argument = rest.join(' ');
  switch (command) {
    case '/new':
      if (!argument) throw new Error('/new needs a prompt: /new a red fox in the snow');
      state.conversation = null;
      state.current = null;
      return sendLine(context, argument);
    case '/back': {
      const { conversation } = requireTurn(state);
      const count = argument ? Number(argument) : 1;
      if (!Number.isInteger(count) || count < 1) throw new Error('/back takes a whole number ≥ 1');
      let turn = state.current;
      for (let index = 0; index < count && turn?.parent_id; index++) {
        turn = conversation.turns.find((entry) => entry.id === turn!.parent_id) ?? null;
      }
      state.current = turn;
      io.out(`back at "${turn?.message}": ${turn?.prompt}\n`);
      return;
    }
    case '/branch': {
      if (!state.conversation) throw new Error('no conversation yet');
      if (!argument) throw new Error('/branch needs a turn: #N from /history, or an id');
      state.current = findTurn(state.conversation, argument);
      io.out(`branching from "${state.current.message}": ${state.current.prompt}\n`);
      return;
    }
    case '/strength': {
      if (argument === 'auto') delete state.overrides.strength;
      else {
        const value = Number(argument);
        if (!Number.isFinite(value) || value < 0.01 || value > 1) {
          throw new Error('/strength takes a number from 0.01 to 1, or "auto"');
        }
        state.overrides.strength = value;
      }
      io.out(`strength: ${state.overrides.strength ?? 'auto (as interpreted)'}\n`);
      return;
    }
    case '/seed': {
      const value = Number(argument);
      if (!Number.isInteger(value) || value < 0) throw new Error('/seed takes a whole number ≥ 0');
      state.overrides.seed = value;
      io.out(`seed: ${value}\n`);
      return;
    }
    case '/history':
      if (!state.conversation) throw new Error('no conversation yet');
      state.conversation = service.get(session, state.conversation.id);
      io.out(`${historyLines(state.conversation, state.current).join('\n')}\n`);
      return;
    case '/save': {
      const { turn } = requireTurn(state);
      if (!argument) throw new Error('/save needs a file name');
      await writeFile(argument, await runtime.images.getPng(turn.image.$image));
      io.out(`saved ${argument}\n`);
      return;
    }
    case '/export': {
      const { conversation, turn } = requireTurn(state);
      if (!argument) throw new Error('/export needs a file name');
      const { script } = service.export(session, conversation.id, turn.id);
      await writeFile(argument, `${JSON.stringify(script, null, 2)}\n`);
      io.out(`exported ${argument}\n`);
      return;
    }
    case '/help':
      io.out(`${HELP}\n`);
      return;
    default:
      throw new Error(`unknown command ${command}\n${HELP}`);
  }
}
