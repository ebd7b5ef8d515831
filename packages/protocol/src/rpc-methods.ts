import type {
  Conversation,
  ConversationCreateParams,
  ConversationListParams,
  ConversationSendParams,
  ConversationSendResult,
  ConversationSummary,
} from './conversations.ts';
import type { HistoryEntry, HistoryQuery } from './history.ts';
import type {
  ExecuteScriptParams,
  JobDone,
  JobLogNotice,
  JobProgress,
  JobResult,
  JobSummary,
} from './jobs.ts';
import type { CapabilityMetadata, OpcodeMetadata } from './metadata.ts';
import type { ModelPullParams, ModelPullResult, ModelSummary } from './models.ts';
import type { OutputsSetParams, OutputsSettings } from './outputs.ts';
import type { QueueState, QueueSubmitParams } from './queue.ts';
import type {
  RunwareModelsParams,
  RunwareModelsResult,
  RunwareSetKeyParams,
  RunwareSettingsView,
} from './runware.ts';
import type { Template, TemplateExport, TemplateInput } from './templates.ts';
import type { CapabilityHandle } from './wire-values.ts';

/**
 * Params of a method that takes none. The client may omit them; anything with keys is refused
 * at compile time.
 */
export type NoParams = Record<string, never>;

/** `{id}` params (templates, history, conversations, models). */
export interface IdParams {
  id: string;
}

/** `{job_id}` params. */
export interface JobIdParams {
  job_id: string;
}

/** The answer of every delete: whether something was removed. */
export interface OkResult {
  ok: boolean;
}

/**
 * Every JSON-RPC method of ARCHITECTURE.md: name → params and result. The server's method table
 * and the client's `call` are both typed from this map, so a method name, a param or a result
 * that disagrees with it is a compile error on either side.
 *
 * Invariant: this is the only place a method's wire shape is written down.
 */
export interface RpcMethods {
  get_opcodes: { params: NoParams; result: OpcodeMetadata[] };
  get_capability_metadata: { params: NoParams; result: CapabilityMetadata[] };
  execute_script: { params: ExecuteScriptParams; result: JobResult };
  'job.cancel': { params: JobIdParams; result: JobSummary };
  /** Newest first; `limit` defaults to 50 and is clamped to 200. */
  'job.list': { params: { limit?: number }; result: JobSummary[] };
  'job.get': { params: JobIdParams; result: JobSummary };

  get_capability: { params: { type: string; filter?: unknown }; result: CapabilityHandle };
  'std.call_method': {
    params: { object: CapabilityHandle; method: string; args?: unknown[] };
    result: unknown;
  };
  /** `method` is `"<capability type>.<method>"`; `params` an argument list (or one argument). */
  plugin_rpc: { params: { method: string; params?: unknown }; result: unknown };

  'templates.save': { params: TemplateInput; result: Template };
  'templates.list': { params: { query?: string }; result: Template[] };
  'templates.get': { params: IdParams; result: Template };
  'templates.delete': { params: IdParams; result: OkResult };
  'templates.export': { params: IdParams; result: TemplateExport };
  /** `template` is an exported object of any known format version (migrated, then checked). */
  'templates.import': { params: { template: unknown }; result: Template };

  'history.list': { params: HistoryQuery; result: HistoryEntry[] };
  'history.get': { params: IdParams; result: HistoryEntry };
  'history.delete': { params: IdParams; result: OkResult };
  'history.favorite': { params: { id: string; value: boolean }; result: HistoryEntry };

  'conversations.create': { params: ConversationCreateParams; result: Conversation };
  'conversations.send': { params: ConversationSendParams; result: ConversationSendResult };
  'conversations.list': { params: ConversationListParams; result: ConversationSummary[] };
  'conversations.get': { params: IdParams; result: Conversation };
  'conversations.delete': { params: IdParams; result: OkResult };
  /** A script whose result is that turn's image, reproduced from nothing (default: latest turn). */
  'conversations.export': {
    params: { id: string; turn_id?: string };
    result: { script: unknown };
  };

  'models.list': { params: NoParams; result: ModelSummary[] };
  'models.pull': { params: ModelPullParams; result: ModelPullResult };
  'models.delete': { params: IdParams; result: OkResult };

  'settings.runware.get': { params: NoParams; result: RunwareSettingsView };
  'settings.runware.set_key': { params: RunwareSetKeyParams; result: RunwareSettingsView };
  /** Any user; spends no credits. Without a key or a search: the popular list, no network. */
  'settings.runware.models': { params: RunwareModelsParams; result: RunwareModelsResult };
  'settings.outputs.get': { params: NoParams; result: OutputsSettings };
  /** Admin (or, without users, loopback) only; `folder: null` turns writing off. */
  'settings.outputs.set': { params: OutputsSetParams; result: OutputsSettings };
  'queue.submit': { params: QueueSubmitParams; result: { id: string } };
  'queue.list': { params: NoParams; result: QueueState };
  'queue.pause': { params: NoParams; result: QueueState };
  'queue.resume': { params: NoParams; result: QueueState };
  'queue.move': { params: { id: string; index: number }; result: QueueState };
  'queue.cancel': { params: IdParams; result: QueueState };
  'queue.retry': { params: IdParams; result: { id: string } };
  'queue.clear': { params: NoParams; result: QueueState };
}

/** Every method name. */
export type RpcMethodName = keyof RpcMethods;

/** Params of method `M`. */
export type RpcParams<M extends RpcMethodName> = RpcMethods[M]['params'];

/** Result of method `M`. */
export type RpcResult<M extends RpcMethodName> = RpcMethods[M]['result'];

/**
 * The params argument of a call to `M` as a tuple: optional when every param is optional
 * (`client.call('job.list')`), required otherwise.
 */
export type RpcParamsArgument<M extends RpcMethodName> =
  Record<never, never> extends RpcParams<M> ? [params?: RpcParams<M>] : [params: RpcParams<M>];

/**
 * Params as a server handler first sees them: only the declared keys may be read, and every
 * value is `unknown` until the handler has checked it (the peer is untrusted).
 */
export type UncheckedParams<M extends RpcMethodName> = {
  readonly [K in keyof RpcParams<M>]?: unknown;
};

/** Notifications the server sends: name → params. */
export interface RpcNotifications {
  'job.progress': JobProgress;
  'job.log': JobLogNotice;
  'job.done': JobDone;
  'queue.changed': QueueState;
}

/** Every notification name. */
export type RpcNotificationName = keyof RpcNotifications;

/** A notification as an argument list `[method, params]`, discriminated by the method. */
export type RpcNotificationArgs = {
  [N in RpcNotificationName]: [method: N, params: RpcNotifications[N]];
}[RpcNotificationName];

/** Every method name at run time, in ARCHITECTURE order (compile-checked against the map). */
export const RPC_METHOD_NAMES = Object.keys({
  get_opcodes: true,
  get_capability_metadata: true,
  execute_script: true,
  'job.cancel': true,
  'job.list': true,
  'job.get': true,
  get_capability: true,
  'std.call_method': true,
  plugin_rpc: true,
  'templates.save': true,
  'templates.list': true,
  'templates.get': true,
  'templates.delete': true,
  'templates.export': true,
  'templates.import': true,
  'history.list': true,
  'history.get': true,
  'history.delete': true,
  'history.favorite': true,
  'conversations.create': true,
  'conversations.send': true,
  'conversations.list': true,
  'conversations.get': true,
  'conversations.delete': true,
  'conversations.export': true,
  'models.list': true,
  'models.pull': true,
  'models.delete': true,
  'settings.runware.get': true,
  'settings.runware.set_key': true,
  'settings.runware.models': true,
  'settings.outputs.get': true,
  'settings.outputs.set': true,
  'queue.submit': true,
  'queue.list': true,
  'queue.pause': true,
  'queue.resume': true,
  'queue.move': true,
  'queue.cancel': true,
  'queue.retry': true,
  'queue.clear': true,
} satisfies Record<RpcMethodName, true>) as RpcMethodName[];

/** Every notification name at run time. */
export const RPC_NOTIFICATION_NAMES = Object.keys({
  'job.progress': true,
  'job.log': true,
  'job.done': true,
  'queue.changed': true,
} satisfies Record<RpcNotificationName, true>) as RpcNotificationName[];
