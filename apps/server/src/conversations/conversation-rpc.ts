import {
  invalidParams,
  type RpcContext,
  type RpcMethodTable,
  typedMethodTable,
  withJobSlot,
} from '@viwo/core/rpc';
import type { RpcMethodName } from '@viwo/protocol';
import {
  conversationOptions,
  MAX_TITLE_LENGTH,
  messageParam,
  optionalString,
  partialOptions,
  requiredString,
} from './conversation-params.ts';
import { ConversationService } from './conversation-service.ts';

/** The protocol methods this table implements. */
type ConversationMethod = Extract<RpcMethodName, `conversations.${string}`>;

/** Params as a plain record for the validators (typedMethodTable already refused non-objects). */
const record = (params: object) => params as Record<string, unknown>;

function registeredTypes(context: RpcContext): string[] {
  return context.runtime.capabilityMetadata().map((entry) => entry.type);
}

/**
 * The `conversations.*` JSON-RPC methods (ARCHITECTURE.md, Conversations), typed from
 * `@viwo/protocol`. Params are checked before anything runs (−32602 naming the parameter);
 * unknown conversations and turns are NotFound (−32000); a modification the rules do not
 * understand is InvalidArgument (−32000).
 */
export function createConversationMethods(): RpcMethodTable<RpcContext> {
  const services = new WeakMap<object, ConversationService>();
  const service = (context: RpcContext) => {
    let found = services.get(context.runtime);
    if (!found) {
      found = new ConversationService(context.runtime);
      services.set(context.runtime, found);
    }
    return found;
  };
  return typedMethodTable<RpcContext, ConversationMethod>({
    'conversations.create': (params, context) => {
      const title = optionalString(record(params), 'title')?.trim() ?? '';
      if (title.length > MAX_TITLE_LENGTH) {
        throw invalidParams('title', `is longer than ${MAX_TITLE_LENGTH} characters`);
      }
      const options = conversationOptions(params.options, registeredTypes(context));
      return service(context).create(context.session, title, options);
    },
    'conversations.send': async (params, context) => {
      const id = requiredString(record(params), 'id');
      const message = messageParam(record(params));
      const parent = params.parent_turn_id;
      if (
        parent !== undefined &&
        parent !== null &&
        (typeof parent !== 'string' || parent === '')
      ) {
        throw invalidParams('parent_turn_id', 'must be a turn id (a non-empty string) or null');
      }
      const overrides = partialOptions(params.options, registeredTypes(context));
      return withJobSlot(context, () =>
        service(context).send(context.session, {
          id,
          message,
          ...(parent === undefined ? {} : { parent_turn_id: parent as string | null }),
          overrides,
        }),
      );
    },
    'conversations.list': (params, context) =>
      service(context).list(context.session, optionalString(record(params), 'query')),
    'conversations.get': (params, context) =>
      service(context).get(context.session, requiredString(record(params), 'id')),
    'conversations.delete': (params, context) => {
      service(context).delete(context.session, requiredString(record(params), 'id'));
      return { ok: true };
    },
    'conversations.export': (params, context) => {
      const turnId = optionalString(record(params), 'turn_id');
      return service(context).export(context.session, requiredString(record(params), 'id'), turnId);
    },
  });
}
