import type { HistoryEntry, HistoryQuery, ImageValue } from '@viwo/protocol';
import type { RpcLike } from './rpc-client.ts';

/** The `history.*` methods, typed from the protocol. */
export interface HistoryApi {
  list(query?: HistoryQuery): Promise<HistoryEntry[]>;
  get(id: string): Promise<HistoryEntry>;
  /** Whether an entry was deleted. */
  remove(id: string): Promise<boolean>;
  /** Sets or clears the favourite flag; answers the updated entry. */
  favorite(id: string, value: boolean): Promise<HistoryEntry>;
  /** The first image of the newest entry, or null when history has none. */
  latestImage(): Promise<ImageValue | null>;
}

/** The history API over a connection. */
export function historyApi(rpc: RpcLike): HistoryApi {
  const list = (query: HistoryQuery = {}) => rpc.call('history.list', query);
  return {
    list,
    get: (id) => rpc.call('history.get', { id }),
    remove: async (id) => (await rpc.call('history.delete', { id })).ok,
    favorite: (id, value) => rpc.call('history.favorite', { id, value }),
    latestImage: async () => (await list({ limit: 1 }))[0]?.images[0] ?? null,
  };
}
