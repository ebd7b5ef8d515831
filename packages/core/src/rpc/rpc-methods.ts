import type { HistoryQuery, RpcMethodName, TemplateInput } from '@viwo/protocol';
import { parseScriptInput } from '@viwo/script';
import type { Runtime } from '../runtime.ts';
import type { Session } from '../session.ts';
import type { RpcMethodTable } from './json-rpc-dispatcher.ts';
import { invalidParams, RpcError, RpcErrorCode } from './rpc-error.ts';
import { type TypedRpcHandlers, typedMethodTable } from './typed-methods.ts';
import { toSizedWireValue } from './wire-value.ts';

/** Limits applied by the RPC layer before any work starts. */
export interface RpcLimits {
  /** Largest script accepted, in bytes of its JSON or text form. */
  maxScriptBytes: number;
  /** Deepest array nesting accepted in a script. */
  maxScriptDepth: number;
  /** Scripts one connection may have running at once. */
  maxConcurrentJobs: number;
}

/** Defaults for {@link RpcLimits}. */
export const defaultRpcLimits: RpcLimits = {
  maxScriptBytes: 1024 * 1024,
  maxScriptDepth: 256,
  maxConcurrentJobs: 4,
};

/** What every RPC handler sees: the runtime, the connection's session, and its counters. */
export interface RpcContext {
  runtime: Runtime;
  session: Session;
  limits: RpcLimits;
  /** Jobs this connection has running (maintained by `execute_script`). */
  runningJobs: number;
}

/** Reads param `name` (a key the protocol declares for the method, so a typo fails to compile). */
function paramValue<P extends object>(params: P, name: keyof P & string): unknown {
  return (params as Record<string, unknown>)[name];
}

function requireString<P extends object>(params: P, name: keyof P & string): string {
  const value = paramValue(params, name);
  if (typeof value !== 'string' || value.length === 0)
    throw invalidParams(name, 'must be a non-empty string');
  return value;
}

function optionalString<P extends object>(params: P, name: keyof P & string): string | undefined {
  const value = paramValue(params, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParams(name, 'must be a string');
  return value;
}

function optionalInteger<P extends object>(
  params: P,
  name: keyof P & string,
  min: number,
): number | undefined {
  const value = paramValue(params, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalidParams(name, `must be an integer ≥ ${min}`);
  }
  return value;
}

/** Most history entries one `history.list` call returns. */
export const HISTORY_LIST_MAX = 100;

/** Most bytes one `history.list` page carries; the page ends early past it (never empty). */
export const HISTORY_LIST_BUDGET_BYTES = 16 * 1024 * 1024;

/**
 * The leading items whose wire size fits `budget` (at least one), already wire-safe: a page of
 * large entries comes back shorter instead of failing as a reply over the size limit.
 */
function withinReplyBudget<Item>(items: Item[], budget: number): Item[] {
  const kept: Item[] = [];
  let left = budget;
  for (const item of items) {
    try {
      const sized = toSizedWireValue(item, { maxBytes: kept.length === 0 ? budget : left });
      kept.push(sized.value as Item);
      left -= sized.bytes;
    } catch {
      if (kept.length > 0) break;
      throw new RpcError(RpcErrorCode.ScriptError, 'history entry too large to send', {
        code: 'ReplyTooLarge',
        message: `a history entry is over ${budget} bytes`,
      });
    }
  }
  return kept;
}

/** Array nesting depth without recursion (scripts may be hostile). */
function nestingDepth(node: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[node, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (depth > deepest) deepest = depth;
    if (Array.isArray(current)) for (const child of current) pending.push([child, depth + 1]);
    else if (typeof current === 'object' && current !== null) {
      for (const child of Object.values(current)) pending.push([child, depth + 1]);
    }
  }
  return deepest;
}

/** Checks size and depth before parsing or running (cheap refusals for hostile input). */
function admitScript(script: unknown, limits: RpcLimits): unknown {
  if (script === undefined) throw invalidParams('script', 'is required (JSON form or text form)');
  const size = typeof script === 'string' ? script.length : (JSON.stringify(script)?.length ?? 0);
  if (size > limits.maxScriptBytes) {
    throw invalidParams('script', `is ${size} bytes; the limit is ${limits.maxScriptBytes}`);
  }
  const parsed = parseScriptInput(script);
  const depth = nestingDepth(parsed);
  if (depth > limits.maxScriptDepth) {
    throw invalidParams(
      'script',
      `nests ${depth} levels deep; the limit is ${limits.maxScriptDepth}`,
    );
  }
  return parsed;
}

/** The protocol methods core implements (conversations, models, settings and the queue live with the server). */
export type CoreRpcMethod = Exclude<
  RpcMethodName,
  `conversations.${string}` | `models.${string}` | `settings.${string}` | `queue.${string}`
>;

/**
 * The JSON-RPC method table of ARCHITECTURE.md, typed from `@viwo/protocol`. Every handler
 * validates its params (−32602 naming the parameter) and leaves domain failures to ScriptErrors
 * (−32000 with `{code, message, path}`).
 */
export function createRpcMethods(): RpcMethodTable<RpcContext> {
  return typedMethodTable<RpcContext, CoreRpcMethod>(coreHandlers);
}

/**
 * Runs job-starting work within the connection's `maxConcurrentJobs` (a `TooManyJobs` script
 * error past it). Every RPC method that starts a job goes through here, so the limit is one rule.
 */
export async function withJobSlot<T>(context: RpcContext, work: () => Promise<T>): Promise<T> {
  if (context.runningJobs >= context.limits.maxConcurrentJobs) {
    throw new RpcError(RpcErrorCode.ScriptError, 'too many running jobs on this connection', {
      code: 'TooManyJobs',
      message: `at most ${context.limits.maxConcurrentJobs} jobs may run at once per connection`,
      path: [],
    });
  }
  context.runningJobs++;
  try {
    return await work();
  } finally {
    context.runningJobs--;
  }
}

const coreHandlers: TypedRpcHandlers<RpcContext, CoreRpcMethod> = {
  get_opcodes: (_params, { runtime }) => runtime.opcodeMetadata(),
  get_capability_metadata: (_params, { runtime }) => runtime.capabilityMetadata(),

  execute_script: async (params, context) => {
    const script = admitScript(params.script, context.limits);
    const gas = optionalInteger(params, 'gas', 1);
    const parentId = optionalString(params, 'parent_id');
    return withJobSlot(context, () =>
      context.session.executeScript(script, {
        ...(gas === undefined ? {} : { gas }),
        ...(parentId === undefined ? {} : { parent_id: parentId }),
      }),
    );
  },
  'job.cancel': (params, { session }) => session.cancelJob(requireString(params, 'job_id')),
  'job.list': (params, { session }) => session.listJobs(optionalInteger(params, 'limit', 1)),
  'job.get': (params, { session }) => session.getJob(requireString(params, 'job_id')),

  get_capability: (params, { session }) => {
    return session.getCapability(requireString(params, 'type'), params.filter);
  },
  'std.call_method': (params, { session }) => {
    const args = params.args ?? [];
    if (!Array.isArray(args)) throw invalidParams('args', 'must be a list');
    if (params.object === undefined)
      throw invalidParams('object', 'is required (a capability handle)');
    return session.callMethod(params.object, requireString(params, 'method'), args);
  },
  plugin_rpc: (params, { session }) => {
    const qualified = requireString(params, 'method');
    const split = qualified.lastIndexOf('.');
    if (split <= 0 || split === qualified.length - 1) {
      throw invalidParams('method', 'must look like "<capability type>.<method>"');
    }
    const handle = session.getCapability(qualified.slice(0, split));
    const args =
      params.params === undefined
        ? []
        : Array.isArray(params.params)
          ? params.params
          : [params.params];
    return session.callMethod(handle, qualified.slice(split + 1), args);
  },

  // Owned rows: every store call gets the session's access scope (a user's own rows; admins all).
  'templates.save': (params, { runtime, session }) => {
    requireString(params, 'name');
    if (params.script === undefined) throw invalidParams('script', 'is required');
    return runtime.templates.save(params as unknown as TemplateInput, session.scope);
  },
  'templates.list': (params, { runtime, session }) => {
    const query = optionalString(params, 'query');
    return runtime.templates.list(query === undefined ? {} : { query }, session.scope);
  },
  'templates.get': (params, { runtime, session }) =>
    runtime.templates.get(requireString(params, 'id'), session.scope),
  'templates.delete': (params, { runtime, session }) => ({
    ok: runtime.templates.delete(requireString(params, 'id'), session.scope),
  }),
  'templates.export': (params, { runtime, session }) =>
    runtime.templates.export(requireString(params, 'id'), session.scope),
  'templates.import': (params, { runtime, session }) => {
    if (params.template === undefined)
      throw invalidParams('template', 'is required (an exported template object)');
    return runtime.templates.import(params.template, session.scope);
  },

  'history.list': (params, { runtime, session }) => {
    const query: HistoryQuery = {};
    const text = optionalString(params, 'query');
    const type = optionalString(params, 'type');
    const limit = optionalInteger(params, 'limit', 1);
    const offset = optionalInteger(params, 'offset', 0);
    if (text !== undefined) query.query = text;
    if (type !== undefined) query.type = type;
    // A larger page is clamped, not refused: a client asking for everything gets a full page.
    if (limit !== undefined) query.limit = Math.min(limit, HISTORY_LIST_MAX);
    if (offset !== undefined) query.offset = offset;
    if (typeof params.favorite === 'boolean') query.favorite = params.favorite;
    return withinReplyBudget(runtime.history.list(query, session.scope), HISTORY_LIST_BUDGET_BYTES);
  },
  'history.get': (params, { runtime, session }) =>
    runtime.history.get(requireString(params, 'id'), session.scope),
  'history.delete': (params, { runtime, session }) => ({
    ok: runtime.history.delete(requireString(params, 'id'), session.scope),
  }),
  'history.favorite': (params, { runtime, session }) => {
    if (typeof params.value !== 'boolean') throw invalidParams('value', 'must be a boolean');
    return runtime.history.favorite(requireString(params, 'id'), params.value, session.scope);
  },
};
