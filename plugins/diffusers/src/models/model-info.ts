import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveSchedulerConfig, type SchedulerConfig } from '../schedulers/scheduler.ts';

/** Model families the pipeline knows. SDXL and others extend this union in their own modules. */
export type DiffusersFamily = 'sd1' | 'sd2' | 'sd-turbo' | 'sdxl' | 'sdxl-turbo' | (string & {});

/** What the registry knows about an installed model folder, from its config files alone. */
export interface DiffusersModelInfo {
  id: string;
  directory: string;
  label: string;
  family: DiffusersFamily;
  /** True for the generated tiny random-weight models. */
  test: boolean;
  scalingFactor: number;
  schedulerConfig: SchedulerConfig;
  /** Pipeline components present (`text_encoder`, `unet`, `vae_decoder`, `vae_encoder`, …). */
  components: string[];
  /** Native resolution in pixels (UNet `sample_size` × 8). */
  nativeSize: number;
  /** `unet/config.json` `in_channels`: 9 for inpainting UNets (latents ‖ mask ‖ masked latents). */
  unetInChannels: number;
  /** Defaults for this family: Turbo samples in 1–4 steps without guidance. */
  defaults: { steps: number; guidanceScale: number; scheduler: string };
  /** Pixel alignment the UNet needs (real UNets downsample 3×: 64; the tiny ones: 8). */
  alignment: number;
  /** Extra fields from `viwo-model.json` (e.g. installation time, source). */
  metadata: Record<string, unknown>;
}

const REQUIRED_FILES = [
  'model_index.json',
  'text_encoder/model.onnx',
  'unet/model.onnx',
  'vae_decoder/model.onnx',
  'tokenizer/vocab.json',
  'tokenizer/merges.txt',
];

/**
 * Reads a model folder in Optimum's ONNX layout. Fails naming the first missing required file or
 * malformed config, so a broken download never surfaces as an onnxruntime crash later.
 */
export async function readModelInfo(id: string, directory: string): Promise<DiffusersModelInfo> {
  for (const relative of REQUIRED_FILES) {
    if (!(await exists(join(directory, relative)))) {
      throw new Error(`model '${id}' is incomplete: missing ${relative} in ${directory}`);
    }
  }
  const index = await readJson(join(directory, 'model_index.json'), true);
  const metadata = await readJson(join(directory, 'viwo-model.json'), false);
  const vae = await readJson(join(directory, 'vae_decoder/config.json'), false);
  const unet = await readJson(join(directory, 'unet/config.json'), false);
  const schedulerRaw = await readJson(join(directory, 'scheduler/scheduler_config.json'), false);
  const tokenizerConfig = await readJson(join(directory, 'tokenizer/tokenizer_config.json'), false);
  const components = Object.keys(index).filter((key) => !key.startsWith('_'));
  for (const candidate of ['vae_encoder', 'text_encoder_2', 'controlnet']) {
    if (
      !components.includes(candidate) &&
      (await exists(join(directory, candidate, 'model.onnx')))
    ) {
      components.push(candidate);
    }
  }
  const presentComponents: string[] = [];
  for (const component of components) {
    if (await exists(join(directory, component))) presentComponents.push(component);
  }
  const family = detectFamily(id, metadata, presentComponents, unet, tokenizerConfig);
  const turbo = family.endsWith('turbo');
  const schedulerConfig = resolveSchedulerConfig(schedulerRaw);
  const sampleSize =
    typeof unet.sample_size === 'number' ? unet.sample_size : family.startsWith('sdxl') ? 128 : 64;
  const scaling =
    typeof vae.scaling_factor === 'number'
      ? vae.scaling_factor
      : family.startsWith('sdxl')
        ? 0.13025
        : 0.18215;
  const test = metadata.test === true;
  return {
    id,
    directory,
    label: typeof metadata.label === 'string' ? metadata.label : id,
    family,
    test,
    scalingFactor: scaling,
    schedulerConfig,
    components: presentComponents,
    nativeSize: sampleSize * 8,
    unetInChannels: typeof unet.in_channels === 'number' ? unet.in_channels : 4,
    defaults: turbo
      ? { steps: 1, guidanceScale: 0, scheduler: 'euler_a' }
      : { steps: test ? 12 : 25, guidanceScale: 7.5, scheduler: 'euler' },
    alignment: test ? 8 : 64,
    metadata,
  };
}

function detectFamily(
  id: string,
  metadata: Record<string, unknown>,
  components: string[],
  unet: Record<string, unknown>,
  tokenizerConfig: Record<string, unknown>,
): DiffusersFamily {
  if (typeof metadata.family === 'string') return metadata.family;
  const turbo = /turbo/i.test(id);
  if (components.includes('text_encoder_2')) return turbo ? 'sdxl-turbo' : 'sdxl';
  const padToken =
    typeof tokenizerConfig.pad_token === 'string'
      ? tokenizerConfig.pad_token
      : (tokenizerConfig.pad_token as { content?: string } | undefined)?.content;
  if (turbo) return 'sd-turbo';
  if (unet.cross_attention_dim === 1024 || padToken === '!') return 'sd2';
  return 'sd1';
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function readJson(path: string, required: boolean): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    if (required) throw new Error(`missing ${path}`);
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${path} is not a valid JSON object: ${(error as Error).message}`);
  }
}

/**
 * Whether the model's UNet runs on its own: a ControlNet export's UNet takes the ControlNet's
 * residuals as required inputs, so it serves only `controlnet.generate.apply`.
 */
export function runsWithoutControlnet(model: DiffusersModelInfo): boolean {
  return !model.components.includes('controlnet');
}
