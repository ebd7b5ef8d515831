export {
  createUpscaleCapability,
  DIFFUSERS_CAPABILITY_TYPE,
  UPSCALE_CAPABILITY_TYPE,
  type UpscaleCapabilityOptions,
} from './capability.ts';
export {
  CLASSICAL_METHODS,
  type ClassicalMethod,
  type PixelImage,
  resampleClassical,
  targetSize,
} from './classical.ts';
export { type ConvertedModelSummary, convertCommand } from './convert-command.ts';
export {
  type KerasLayer,
  type KerasLayersModel,
  type KerasModelFiles,
  parseKerasLayersModel,
  readKerasModelFiles,
} from './converter/keras-layers-model.ts';
export {
  type ConversionOptions,
  type ConvertedModel,
  type ConvertedModelInfo,
  convertKerasToOnnx,
  ONNX_INPUT_NAME,
  ONNX_OUTPUT_NAME,
  type ValueRange,
} from './converter/keras-to-onnx.ts';
export {
  type CachedModel,
  convertedModelIdentity,
  ensureConvertedModel,
  upscaleModelDir,
} from './converter/model-cache.ts';
export {
  discoverInstalledModels,
  MODEL_FAMILIES,
  type UpscaleModelEntry,
} from './converter/model-catalog.ts';
export { weightsSha256 } from './converter/weights-hash.ts';
export {
  type EsrganUpscaleRequest,
  type EsrganUpscaleResult,
  EsrganUpscaler,
  type EsrganUpscalerOptions,
} from './esrgan-upscaler.ts';
export { FaceRestorer } from './face-restorer.ts';
export { createUpscalePlugin, type UpscalePluginOptions } from './plugin.ts';
export { type RgbImage, runEsrganTiled } from './runner/esrgan-runner.ts';
export { SessionPool, type SessionPoolOptions } from './runner/session-pool.ts';
export {
  featherRamp,
  planTiles,
  type Tile,
  TileBlender,
  type TilePlan,
  tileSizeForMemoryCap,
} from './runner/tiling.ts';
