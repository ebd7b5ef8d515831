export type {
  Conversation,
  ConversationCreateParams,
  ConversationListParams,
  ConversationOptions,
  ConversationSendParams,
  ConversationSendResult,
  ConversationSummary,
  ConversationTurn,
} from './conversations.ts';
export {
  exifUserComment,
  insertJpegExif,
  insertWebpExif,
  readXmp,
  viwoScriptFromXmp,
  viwoXmp,
} from './embedded-metadata.ts';
export type { HistoryEntry, HistoryQuery, RecordedCall } from './history.ts';
export type {
  ExecuteScriptParams,
  JobDone,
  JobLog,
  JobLogNotice,
  JobProgress,
  JobResult,
  JobStatus,
  JobSummary,
  ScriptErrorData,
} from './jobs.ts';
export {
  isScriptErrorData,
  RpcErrorCode,
  type RpcErrorObject,
  type RpcId,
  type RpcNotificationMessage,
  type RpcResponse,
} from './json-rpc.ts';
export {
  CAPABILITY_PARAM_TYPES,
  type CapabilityMetadata,
  type CapabilityMethodMetadata,
  type CapabilityParam,
  type CapabilityParamType,
  type LogLevel,
  type OpcodeMetadata,
  type OpcodeParam,
  type ParamMetadata,
  type ParamType,
} from './metadata.ts';
export type { ModelKind, ModelPullParams, ModelPullResult, ModelSummary } from './models.ts';
export type { OutputsSetParams, OutputsSettings } from './outputs.ts';
export {
  crc32,
  fromLatin1Safe,
  insertPngText,
  isPng,
  type PngChunk,
  PngFormatError,
  readPngChunks,
  readPngText,
  toLatin1Safe,
  writePngChunks,
} from './png-text.ts';
export type { QueueItem, QueueState, QueueStatus, QueueSubmitParams } from './queue.ts';
export { recordedCallsFromScript, type ScriptCalls } from './recorded-calls-from-script.ts';
export {
  type IdParams,
  type JobIdParams,
  type NoParams,
  type OkResult,
  RPC_METHOD_NAMES,
  RPC_NOTIFICATION_NAMES,
  type RpcMethodName,
  type RpcMethods,
  type RpcNotificationArgs,
  type RpcNotificationName,
  type RpcNotifications,
  type RpcParams,
  type RpcParamsArgument,
  type RpcResult,
  type UncheckedParams,
} from './rpc-methods.ts';
export type {
  RunwareKeySource,
  RunwareModelInfo,
  RunwareModelSource,
  RunwareModelsParams,
  RunwareModelsResult,
  RunwareSetKeyParams,
  RunwareSettingsView,
} from './runware.ts';
export {
  type ExposedParam,
  TEMPLATE_FORMAT_VERSION,
  TEMPLATE_KIND,
  type Template,
  type TemplateExport,
  type TemplateInput,
} from './templates.ts';
export type { UserQuota, WhoAmIResponse } from './users.ts';
export {
  type CapabilityHandle,
  type ImageFormat,
  type ImageValue,
  imagePath,
  isCapabilityHandle,
  isImageValue,
  isVideoValue,
  type VideoValue,
  videoPath,
} from './wire-values.ts';
