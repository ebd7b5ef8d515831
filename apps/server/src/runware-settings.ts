import {
  invalidParams,
  type RpcContext,
  type RpcMethodTable,
  typedMethodTable,
} from '@viwo/core/rpc';
import { POPULAR_MODELS, RunwareKey, storeRunwareKey } from '@viwo/plugin-runware';
import type { RpcMethodName, RunwareSettingsView } from '@viwo/protocol';
import { ScriptError } from '@viwo/script';
import { runwareModels } from './runware-model-search.ts';
import { SearchBudget } from './search-budget.ts';

/** The RPC context the server binds: core's plus whether the peer is the server's owner. */
export interface ServerRpcContext extends RpcContext {
  /** True for a connection from the loopback interface (the person at this machine). */
  owner: boolean;
}

/**
 * Whether the connection is the server's owner: with users, an admin user; without users, a
 * connection from the loopback interface (the person at this machine).
 */
export function mayManage(context: ServerRpcContext): boolean {
  const user = context.session.principal.user;
  return user ? user.admin : context.owner;
}

async function view(context: ServerRpcContext): Promise<RunwareSettingsView> {
  const status = await new RunwareKey(context.runtime.dataDir, process.env).status();
  return {
    ...status,
    can_set_key: mayManage(context),
    popular_models: POPULAR_MODELS.map((model) => ({ id: model.id, name: model.name })),
  };
}

/**
 * `settings.runware.get` → {@link RunwareSettingsView}; `settings.runware.set_key {api_key}`
 * (owner only: a loopback or admin session) stores the key in the server's config file (mode
 * 0600) — an empty string clears it — and answers the view. The key is write-only: no method
 * returns it. `settings.runware.models` lists models (see {@link runwareModels}).
 */
export function runwareSettingsMethods(
  searches: SearchBudget = new SearchBudget(),
): RpcMethodTable<ServerRpcContext> {
  return typedMethodTable<ServerRpcContext, `settings.runware.${string}` & RpcMethodName>({
    'settings.runware.get': (_params, context) => view(context),
    'settings.runware.set_key': async (params, context) => {
      if (!mayManage(context)) {
        throw new ScriptError(
          'CapabilityDenied',
          'only the server owner (a loopback or admin session) may set the Runware API key',
        );
      }
      const key = params.api_key;
      if (typeof key !== 'string') throw invalidParams('api_key', 'must be a string');
      try {
        await storeRunwareKey(context.runtime.dataDir, key);
      } catch (error) {
        throw invalidParams('api_key', (error as Error).message);
      }
      return view(context);
    },
    'settings.runware.models': (params, context) => runwareModels(params, context, searches),
  });
}
