export {
  MAX_SEARCH_LENGTH,
  MAX_SEARCH_LIMIT,
  MAX_SEARCH_OFFSET,
} from './capability/model-search.ts';
export { RUNWARE_CAPABILITY_TYPE } from './capability/runware-capability.ts';
export {
  DEFAULT_IMAGE_MODEL,
  POPULAR_MODELS,
  type PopularModel,
} from './capability/runware-params.ts';
export { RunwareClient, type RunwareClientOptions } from './client/runware-client.ts';
export { RunwarePluginError } from './errors.ts';
export { probeMp4 } from './results/mp4-probe.ts';
export { RUNWARE_MEDIA_HOSTS, urlAllowed } from './results/result-bytes.ts';
export {
  RUNWARE_KEY_CONFIG,
  RunwareKey,
  type RunwareKeySource,
  storeRunwareKey,
} from './runware-key.ts';
export {
  createRunwarePlugin,
  DEFAULT_RUNWARE_URL,
  type RunwarePluginOptions,
} from './runware-plugin.ts';
