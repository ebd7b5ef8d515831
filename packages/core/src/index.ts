export {
  crc32,
  exifUserComment,
  insertPngText,
  readPngText,
  readXmp,
  viwoScriptFromXmp,
  viwoXmp,
} from '@viwo/protocol';
export {
  CapabilityError,
  type CapabilityErrorCode,
  type CapabilityErrorOptions,
  throwIfCancelled,
} from './capabilities/capability-error.ts';
export { CapabilityRegistry } from './capabilities/capability-registry.ts';
export type { ComputeLedger } from './capabilities/compute-ledger.ts';
export {
  CAPABILITY_PARAM_TYPES,
  capabilityMetadata,
  defineCapability,
  defineMethod,
  definitionProblems,
  type TypedMethod,
} from './capabilities/define-capability.ts';
export type { CapabilityHandle } from './capabilities/handle-table.ts';
export { isCapabilityHandle } from './capabilities/handle-table.ts';
export {
  type ArgsOf,
  type DeclaredParam,
  type ObjectValue,
  type Param,
  type ParamValue,
  param,
} from './capabilities/param.ts';
export type {
  RemoteCall,
  RemoteCallContext,
  RemoteCallDispatcher,
  RemoteCallTarget,
} from './capabilities/remote-calls.ts';
export { narrowRestrictions, parseRestrictions } from './capabilities/restrictions.ts';
export { validateArguments } from './capabilities/validate-arguments.ts';
export type {
  CapabilityCallContext,
  CapabilityDefinition,
  CapabilityMetadata,
  CapabilityMethod,
  CapabilityParam,
  CapabilityParamType,
  CapabilityRestrictions,
  ProgressReport,
} from './capability-definition.ts';
export { ConfigStore } from './config/config-store.ts';
export { type CoreErrorCode, coreError, redactHostText } from './errors.ts';
export { fileSha256 } from './files/file-sha256.ts';
export type { ImageStore, ImageValue, RawImage } from './image-value.ts';
export { isImageValue } from './image-value.ts';
export { DEFAULT_MAX_IMAGE_PIXELS, FileImageStore } from './images/file-image-store.ts';
export { EXPORT_CONTENT_TYPES, type ExportFormat, exportImage } from './images/image-export.ts';
export { readPngChunksNative, writePngWithText } from './images/png-chunks-native.ts';
export type { FinishedJob, JobFinishedListener } from './jobs/job-finished.ts';
export type { JobLimits, JobLog, JobResult, JobSummary } from './jobs/job-manager.ts';
export { parseScriptInput } from './jobs/parse-script-input.ts';
export { ResourceQueue } from './jobs/resource-queue.ts';
export { kernelOpcodes } from './kernel/kernel-opcodes.ts';
export {
  type AccessScope,
  accessScopeOf,
  EVERYONE,
  ownerCondition,
  type PrincipalUser,
  visibleTo,
} from './persistence/access-scope.ts';
export { openBunSqlite } from './persistence/bun-sqlite.ts';
export {
  type Conversation,
  type ConversationOptions,
  ConversationStore,
  type ConversationSummary,
  type ConversationTurn,
  type NewTurn,
} from './persistence/conversation-store.ts';
export {
  DEFAULT_HISTORY_RETENTION,
  type HistoryRetention,
  pruneHistory,
} from './persistence/history-retention.ts';
export type {
  HistoryEntry,
  HistoryQuery,
  InterruptedJob,
  JobSource,
  JobStatus,
  RecordedCall,
} from './persistence/history-store.ts';
export { HistoryStore } from './persistence/history-store.ts';
export {
  type JsonSchema,
  type SchemaViolation,
  validateJsonSchema,
} from './persistence/json-schema.ts';
export { coreMigrations, type Migration, runMigrations } from './persistence/migrations.ts';
export type { SqlDatabase, SqlValue } from './persistence/sql-database.ts';
export {
  migrateTemplateExport,
  TEMPLATE_FORMAT_VERSION,
  type Template,
  type TemplateExport,
  type TemplateInput,
  TemplateStore,
} from './persistence/template-store.ts';
export {
  type ComputeQuota,
  hashToken,
  type UserRecord,
  UserStore,
  utcDay,
} from './persistence/user-store.ts';
export type { Plugin, PluginContext } from './plugin.ts';
export { createCanvasPlugin } from './plugins/canvas-plugin.ts';
export type { PluginHealth, PluginLogger } from './plugins/plugin-manager.ts';
export { type GrantPolicy, localUsersPolicy, type Principal } from './principal.ts';
export {
  createRuntime,
  type Runtime,
  type RuntimeHealth,
  type RuntimeOptions,
} from './runtime.ts';
export type { ScriptHost } from './script-host.ts';
export { asScriptHost } from './script-host.ts';
export { Session, type SessionNotifier } from './session.ts';
export {
  FileVideoStore,
  mimeOfExtension,
  sniffVideoMime,
  VIDEO_TYPES,
  type VideoMime,
} from './videos/file-video-store.ts';
