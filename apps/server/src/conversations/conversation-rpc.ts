import {
  invalidParams,
  methodTable,
  type RpcContext,
  RpcError,
  RpcErrorCode,
  type RpcMethodTable,
} from '@viwo/core/rpc';
import {
  conversationOptions,
  MAX_TITLE_LENGTH,
  messageParam,
  objectParams,
  optionalString,
  partialOptions,
  requiredString,
} from './conversation-params.ts';
import { ConversationService } from './conversation-service.ts';

/**
 * The `conversations.*` JSON-RPC methods (ARCHITECTURE.md, Conversations). Params are checked
 * before anything runs (−32602 naming the parameter); unknown conversations and turns are
 * NotFound (−32000); a modification the rules do not understand is InvalidArgument (−32000).
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
  return methodTable<RpcContext>({
    'conversations.create': (raw, context) => {
      const params = objectParams(raw, 'conversations.create');
      const title = optionalString(params, 'title')?.trim() ?? '';
      if (title.length > MAX_TITLE_LENGTH) {
        throw invalidParams('title', `is longer than ${MAX_TITLE_LENGTH} characters`);
      }
      const registered = context.runtime.capabilityMetadata().map((entry) => entry.type);
      const options = conversationOptions(params.options, registered);
      return service(context).create(context.session, title, options);
    },
    'conversations.send': async (raw, context) => {
      const params = objectParams(raw, 'conversations.send');
      const id = requiredString(params, 'id');
      const message = messageParam(params);
      const parent = params.parent_turn_id;
      if (
        parent !== undefined &&
        parent !== null &&
        (typeof parent !== 'string' || parent === '')
      ) {
        throw invalidParams('parent_turn_id', 'must be a turn id (a non-empty string) or null');
      }
      const registered = context.runtime.capabilityMetadata().map((entry) => entry.type);
      const overrides = partialOptions(params.options, registered);
      if (context.runningJobs >= context.limits.maxConcurrentJobs) {
        throw new RpcError(RpcErrorCode.ScriptError, 'too many running jobs on this connection', {
          code: 'TooManyJobs',
          message: `at most ${context.limits.maxConcurrentJobs} jobs may run at once per connection`,
          path: [],
        });
      }
      context.runningJobs++;
      try {
        return await service(context).send(context.session, {
          id,
          message,
          ...(parent === undefined ? {} : { parent_turn_id: parent as string | null }),
          overrides,
        });
      } finally {
        context.runningJobs--;
      }
    },
    'conversations.list': (raw, context) => {
      const params = objectParams(raw, 'conversations.list');
      return service(context).list(context.session, optionalString(params, 'query'));
    },
    'conversations.get': (raw, context) =>
      service(context).get(
        context.session,
        requiredString(objectParams(raw, 'conversations.get'), 'id'),
      ),
    'conversations.delete': (raw, context) => {
      service(context).delete(
        context.session,
        requiredString(objectParams(raw, 'conversations.delete'), 'id'),
      );
      return { ok: true };
    },
    'conversations.export': (raw, context) => {
      const params = objectParams(raw, 'conversations.export');
      const turnId = optionalString(params, 'turn_id');
      return service(context).export(context.session, requiredString(params, 'id'), turnId);
    },
  });
}
