import { ConfigStore } from '@viwo/core';
import { invalidParams, type RpcMethodTable, typedMethodTable } from '@viwo/core/rpc';
import type { OutputsSettings, RpcMethodName } from '@viwo/protocol';
import { ScriptError } from '@viwo/script';
import { mayManage, type ServerRpcContext } from '../runware-settings.ts';
import {
  OUTPUTS_FOLDER_CONFIG,
  OutputsFolderError,
  prepareOutputsFolder,
  readOutputsFolder,
} from './outputs-folder.ts';

/**
 * `settings.outputs.get` → `{folder}` (null when off); `settings.outputs.set {folder}` (the
 * server's owner only: an admin when users exist, else a loopback session) checks and creates the
 * folder, stores it in the server's config file (`outputs.folder`) and answers `{folder}`; `null`
 * turns writing off. Every refusal is an error naming `folder`.
 */
export function outputsSettingsMethods(): RpcMethodTable<ServerRpcContext> {
  return typedMethodTable<ServerRpcContext, `settings.outputs.${string}` & RpcMethodName>({
    'settings.outputs.get': async (_params, context): Promise<OutputsSettings> => ({
      folder: await readOutputsFolder(context.runtime.dataDir),
    }),
    'settings.outputs.set': async (params, context): Promise<OutputsSettings> => {
      if (!mayManage(context)) {
        throw new ScriptError(
          'CapabilityDenied',
          "only the server's owner (an admin, or on a server without users a session on this machine) may set 'folder', the outputs folder",
        );
      }
      const config = new ConfigStore(context.runtime.dataDir);
      if (params.folder === null) {
        await config.set(OUTPUTS_FOLDER_CONFIG, undefined);
        return { folder: null };
      }
      let folder: string;
      try {
        folder = await prepareOutputsFolder(params.folder, context.runtime.dataDir);
      } catch (error) {
        if (error instanceof OutputsFolderError) throw invalidParams('folder', error.message);
        throw error;
      }
      await config.set(OUTPUTS_FOLDER_CONFIG, folder);
      return { folder };
    },
  });
}
