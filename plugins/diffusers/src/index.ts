export {
  createGenerateCapability,
  estimateCost,
  GENERATE_CAPABILITY,
  pickModel,
} from './capability/generate-capability.ts';
export {
  type GenerationFieldSource,
  type GenerationOptions,
  generationFields,
  LIMITS,
} from './capability/generation-params.ts';
export {
  CONTROLNET_CAPABILITY,
  createControlnetCapability,
  type ModelPreprocessors,
} from './controlnet/controlnet-capability.ts';
export {
  controlnetHooks,
  controlnetPath,
  type PreparedControl,
} from './controlnet/controlnet-hooks.ts';
export {
  createDiffusersPlugin,
  type DiffusersPlugin,
  type DiffusersPluginOptions,
} from './diffusers-plugin.ts';
export { createInpaintCapability, INPAINT_CAPABILITY } from './inpaint/inpaint-capability.ts';
export {
  buildInpaintMask,
  compositeWithMask,
  extendForOutpaint,
  type InpaintMask,
  OUTPAINT_DIRECTIONS,
  type OutpaintDirection,
} from './inpaint/inpaint-mask.ts';
export {
  type DownloadProgress,
  downloadHubFile,
  type HubFile,
  type HubOptions,
  hubEndpoint,
  listHubFiles,
  modelIdForRepo,
  selectPipelineFiles,
  verifyFile,
} from './models/hub-download.ts';
export type { DiffusersFamily, DiffusersModelInfo } from './models/model-info.ts';
export { readModelInfo } from './models/model-info.ts';
export { type PullOptions, pullHubModel } from './models/model-pull.ts';
export { diffusersModelsRoot, ModelRegistry } from './models/model-registry.ts';
export { createModelsCapability, type ModelEntry } from './models/models-capability.ts';
export { type ModelsCommandContext, modelsCommand } from './models/models-command.ts';
export { SessionCache } from './models/session-cache.ts';
export {
  type DenoiseHooks,
  type DenoiseRequest,
  type DenoiseResult,
  type DenoiseStep,
  denoise,
  GenerationCancelled,
} from './pipeline/denoise-loop.ts';
export {
  type GenerationDefaults,
  generationCost,
  type ResolvedGeneration,
  resolveGeneration,
} from './pipeline/generation-request.ts';
export {
  imageToPixels,
  latentPreview,
  type PaddedSize,
  padSize,
  pixelsToImage,
} from './pipeline/image-layout.ts';
export {
  ModelSessions,
  type TextEncoderPart,
  type UnetPart,
  type VaePart,
} from './pipeline/model-sessions.ts';
export {
  describeInputs,
  floatTensor,
  type InputSpec,
  idsTensor,
  runForOutput,
  tensorToFloat32,
  timestepTensor,
} from './pipeline/onnx-tensors.ts';
export { a1111Parameters, recordedOptions, viwoChunk } from './pipeline/png-parameters.ts';
export {
  type GeneratedItem,
  type GenerationHooks,
  type GenerationSource,
  StableDiffusionPipeline,
  storeItems,
} from './pipeline/stable-diffusion-pipeline.ts';
export { embeddingRow, encodePrompts, type PromptEmbeddings } from './pipeline/text-encoding.ts';
export { decodeLatents, encodePixels } from './pipeline/vae-codec.ts';
export { cannyEdges } from './preprocessors/canny-edges.ts';
export { DepthPreprocessor } from './preprocessors/depth-preprocessor.ts';
export { type GreyImage, gaussianBlur, greyToRaw, toGrey } from './preprocessors/grey-image.ts';
export {
  PREPROCESSOR_TYPES,
  type PreprocessorType,
  preprocessImage,
} from './preprocessors/preprocess-image.ts';
export { CounterNormalRng } from './rng/counter-normal-rng.ts';
export {
  a1111SamplerName,
  createScheduler,
  registerScheduler,
  type SchedulerFactory,
  schedulerNames,
} from './schedulers/create-scheduler.ts';
export { DdimScheduler } from './schedulers/ddim-scheduler.ts';
export { DpmSolverScheduler } from './schedulers/dpm-solver-scheduler.ts';
export { EulerAncestralScheduler } from './schedulers/euler-ancestral-scheduler.ts';
export { EulerScheduler } from './schedulers/euler-scheduler.ts';
export { LcmScheduler, lcmGuidanceEmbedding } from './schedulers/lcm-scheduler.ts';
export {
  alphasCumprod,
  DEFAULT_SCHEDULER_CONFIG,
  resolveSchedulerConfig,
  type Scheduler,
  type SchedulerConfig,
  type StepNoise,
  stepNoiseFrom,
} from './schedulers/scheduler.ts';
export {
  encodeSdxlPrompt,
  penultimateHiddenOutput,
  type SdxlEncoder,
  type SdxlPromptConditioning,
  sdxlDenoiseHooks,
  sdxlTimeIds,
  zeroConditioning,
} from './sdxl/sdxl-conditioning.ts';
export {
  prepareSdxlConditioning,
  type SdxlGenerationConditioning,
  type SdxlPrompts,
} from './sdxl/sdxl-pipeline.ts';
export {
  buildTinySdxlTextEncoder,
  buildTinySdxlUnet,
  SDXL_SCALING_FACTOR,
  TINY_SDXL_CONTEXT,
  TINY_SDXL_ENCODER_HIDDEN,
  tinySdxlModelFiles,
} from './tiny-models/sdxl-tiny-model.ts';
export {
  buildTinyControlnet,
  buildTinyControlnetUnet,
  CONTROLNET_RESIDUALS,
  tinyControlnetModelFiles,
} from './tiny-models/tiny-controlnet-model.ts';
export { TINY_MODELS } from './tiny-models/tiny-model-catalog.ts';
export {
  type TinyModelBuilder,
  type TinyModelFiles,
  writeModelFolder,
} from './tiny-models/tiny-model-files.ts';
export {
  TINY_SD_MODEL_IDS,
  type TinySdVariant,
  tinySdModelFiles,
} from './tiny-models/tiny-sd-model.ts';
export { buildTinyTextEncoder, TINY_TEXT_HIDDEN } from './tiny-models/tiny-text-encoder.ts';
export { tinyTokenizerFiles } from './tiny-models/tiny-tokenizer-files.ts';
export { buildTinyUnet, buildTinyUnetParts, type TinyUnetParts } from './tiny-models/tiny-unet.ts';
export { buildTinyVaeDecoder, buildTinyVaeEncoder } from './tiny-models/tiny-vae.ts';
export { ClipTokenizer } from './tokenizer/clip-tokenizer.ts';
