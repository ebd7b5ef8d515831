import {
  type CapabilityDefinition,
  CapabilityError,
  type CapabilityMethod,
  defineMethod,
  param,
  type RawImage,
} from '@viwo/core';
import {
  estimateCost,
  generationCacheIdentity,
  inputSize,
  pickModel,
  rescanFor,
} from '../capability/generate-capability.ts';
import { generationFields } from '../capability/generation-params.ts';
import { resolveGeneration } from '../pipeline/generation-request.ts';
import { a1111Parameters, recordedOptions, viwoChunk } from '../pipeline/png-parameters.ts';
import { type StableDiffusionPipeline, storeItems } from '../pipeline/stable-diffusion-pipeline.ts';
import type { DepthPreprocessor } from '../preprocessors/depth-preprocessor.ts';
import type { PoseClient } from '../preprocessors/pose-client.ts';
import { DEFAULT_POSE_CONFIDENCE } from '../preprocessors/pose-skeleton.ts';
import {
  isPreprocessorType,
  PREPROCESSOR_TYPES,
  preprocessImage,
} from '../preprocessors/preprocess-image.ts';
import { controlnetHooks, controlnetPath, type PreparedControl } from './controlnet-hooks.ts';

/** Capability type of ControlNet generation and its preprocessors. */
export const CONTROLNET_CAPABILITY = 'controlnet.generate';

/** Which preprocess options each type uses (the declaration lists the union of them). */
const RELEVANT: Record<string, string[]> = {
  canny: ['low_threshold', 'high_threshold'],
  scribble: ['threshold'],
  softedge: ['sigma'],
  pose: ['min_confidence'],
};

const preprocessOptions = () =>
  param.object(
    {
      low_threshold: param.number({
        label: 'Low threshold',
        description: 'canny: weak-edge threshold (0–255 scale)',
        default: 100,
        min: 0,
        max: 1020,
      }),
      high_threshold: param.number({
        label: 'High threshold',
        description: 'canny: strong-edge threshold (0–255 scale)',
        default: 200,
        min: 0,
        max: 1020,
      }),
      threshold: param.number({
        label: 'Threshold',
        description: 'scribble: darker than this becomes a line',
        default: 128,
        min: 0,
        max: 255,
      }),
      min_confidence: param.number({
        label: 'Keypoint confidence',
        description: 'pose: keypoints (and their limbs) below this confidence are not drawn',
        default: DEFAULT_POSE_CONFIDENCE,
        min: 0,
        max: 1,
      }),
      sigma: param.number({
        label: 'Sigma',
        description: 'softedge: line scale in pixels',
        default: 1,
        min: 0.3,
        max: 8,
      }),
    },
    { name: 'options', label: 'Options', description: 'Preprocessor settings', optional: true },
  );

/** Preprocessors backed by configured ONNX models (offered only when configured). */
export interface ModelPreprocessors {
  depth?: DepthPreprocessor;
  /** MoveNet pose detection (real weights from npm), drawn as OpenPose skeletons. */
  pose?: PoseClient;
}

/**
 * Result-cache identity of preprocessing with `types`: '' when none runs a model, the depth model's
 * hash when depth does, undefined (never cached) for pose, whose TF.js backend (wasm, or cpu as a
 * fallback) is only known once the worker has started.
 */
async function preprocessIdentity(
  types: readonly string[],
  models: ModelPreprocessors,
): Promise<string | undefined> {
  if (types.includes('pose')) return undefined;
  if (!types.includes('depth')) return '';
  if (!models.depth) return undefined;
  return `depth:${await models.depth.modelSha256()}`;
}

/** Runs the model-backed preprocessor of `type` when there is one, else the model-free one. */
async function runPreprocessor(
  raw: RawImage,
  type: string,
  options: Record<string, number>,
  models: ModelPreprocessors,
): Promise<RawImage> {
  // Depth takes no options (the preprocess method passes only the keys a type uses).
  if (type === 'depth' && models.depth) return models.depth.run(raw);
  if (type === 'pose' && models.pose) {
    // Validated by core against the declaration (0–1, default DEFAULT_POSE_CONFIDENCE).
    const confidence = options.min_confidence ?? DEFAULT_POSE_CONFIDENCE;
    return (await models.pose.run(raw, confidence)).image;
  }
  // The declaration offers depth and pose only when their models are configured.
  if (!isPreprocessorType(type)) {
    throw new CapabilityError('InvalidArgument', `control type '${type}' needs its model`, {
      param: 'type',
    });
  }
  return preprocessImage(raw, type, options);
}

/**
 * `controlnet.generate`: `preprocess(image, type, {…})` with the model-free preprocessors, and —
 * when an installed model has a `controlnet/model.onnx` — `apply(image, prompt, type, strength,
 * {…, controls: [{image, type, strength}]})`, whose controls' residuals are summed, each scaled
 * by its strength. `depth` is offered only with a configured depth ONNX model and `pose` with the
 * MoveNet worker (`modelPreprocessors`) — neither is ever faked.
 */
export function createControlnetCapability(
  pipeline: StableDiffusionPipeline,
  modelPreprocessors: ModelPreprocessors = {},
): CapabilityDefinition {
  const controlTypes: string[] = [
    ...PREPROCESSOR_TYPES,
    ...(modelPreprocessors.depth ? ['depth'] : []),
    ...(modelPreprocessors.pose ? ['pose'] : []),
  ];
  const registry = pipeline.registry;
  const controlModels = () => registry.list().filter((model) => controlnetPath(model));
  const controlType = (label: string, description: string) =>
    param.enum(controlTypes, { name: 'type', label, description });
  const methods: CapabilityDefinition['methods'] = {
    preprocess: defineMethod({
      label: 'Preprocess',
      description: 'Turns an image into a control image of the given type (same size)',
      // Depth and pose run models: in queue mode they go to the GPU workers.
      device: true,
      params: [
        param.image({ name: 'image', label: 'Image', description: 'Source image' }),
        controlType('Control type', 'Preprocessor'),
        preprocessOptions(),
      ],
      returns: 'image',
      // Only depth is kept: the model-free preprocessors cost about what a cache lookup does.
      async cacheIdentity([, type]) {
        if (type !== 'depth') return undefined;
        const identity = await preprocessIdentity([type], modelPreprocessors);
        return identity && `${process.env.VIWO_EP ?? 'cpu'}:${identity}`;
      },
      async run(context, image, type, options) {
        const raw = await context.images.getRaw(image, 3);
        // Core filled every declared default in; keep only the keys that belong to this type.
        const picked = Object.fromEntries(
          Object.entries(options).filter(([key]) => RELEVANT[type]?.includes(key)),
        );
        const control = await runPreprocessor(raw, type, picked, modelPreprocessors);
        return context.images.putRaw(control, {
          viwo: JSON.stringify({ preprocess: type, options: picked }),
        });
      },
    }),
  };
  if (controlModels().length > 0)
    methods.apply = applyMethod(pipeline, controlTypes, modelPreprocessors);
  return {
    type: CONTROLNET_CAPABILITY,
    label: 'ControlNet',
    description: 'Generation steered by control images, and the preprocessors that make them',
    methods,
  };
}

function applyMethod(
  pipeline: StableDiffusionPipeline,
  controlTypes: string[],
  modelPreprocessors: ModelPreprocessors,
): CapabilityMethod {
  const registry = pipeline.registry;
  const controlModels = () => registry.list().filter((model) => controlnetPath(model));
  const strength = (description: string) =>
    param.number({ name: 'strength', label: 'Strength', description, min: 0, max: 2, step: 0.05 });
  return defineMethod({
    label: 'Generate with ControlNet',
    description: 'Text-to-image steered by control images (edges, scribbles, soft edges)',
    params: [
      param.image({
        name: 'image',
        label: 'Control source',
        description: 'Image the control is taken from',
      }),
      param.text({ name: 'prompt', label: 'Prompt', description: 'What to generate' }),
      param.enum(controlTypes, {
        name: 'type',
        label: 'Control type',
        description: 'Preprocessor for the control image',
      }),
      strength('ControlNet conditioning scale'),
      param.object(
        {
          ...generationFields({
            models: () => controlModels().map((model) => model.id),
            defaultModel: () => controlModels()[0],
            sizeFromInput: true,
          }),
          controls: param.list(
            param.object({
              image: param.image({ label: 'Image', description: 'Control source' }),
              type: param.enum(controlTypes, { label: 'Type', description: 'Preprocessor' }),
              strength: strength('Conditioning scale'),
            }),
            {
              label: 'More controls',
              description: 'Further controls [{image, type, strength}]; residuals are summed',
              optional: true,
            },
          ),
          preprocess: param.boolean({
            label: 'Preprocess',
            description:
              'Run the preprocessor of the type on each control image (off when they already are control images)',
            default: true,
          }),
        },
        {
          name: 'options',
          label: 'Options',
          description: 'Generation options, more controls, and whether to preprocess',
          optional: true,
        },
      ),
    ],
    returns: 'image (a list of images when batch_size > 1)',
    prepare: rescanFor(registry),
    cost([image, , , , { controls: _controls, preprocess: _preprocess, ...options }]) {
      return estimateCost(
        registry,
        { model_id: controlModels()[0]?.id, ...options },
        inputSize(image),
      );
    },
    // The model folder hash covers the base model and its `controlnet/model.onnx`; the control
    // images are in the arguments by hash; a depth model preprocessing them adds its own hash.
    async cacheIdentity([, , type, , settings]) {
      const types = [type, ...(settings.controls ?? []).map((control) => control.type)];
      const preprocessing = settings.preprocess
        ? await preprocessIdentity(types, modelPreprocessors)
        : '';
      if (preprocessing === undefined) return undefined;
      const generation = await generationCacheIdentity(registry, {
        ...settings,
        model_id: settings.model_id ?? controlModels()[0]?.id,
      });
      return generation && (preprocessing ? `${generation}:${preprocessing}` : generation);
    },
    async run(context, image, prompt, type, strength, settings) {
      const { controls: extra, preprocess, ...options } = settings;
      const model = pickModel(registry, options.model_id ?? controlModels()[0]?.id);
      const requested = [{ image, type, strength }, ...(extra ?? [])];
      const controls: PreparedControl[] = [];
      for (const entry of requested) {
        const raw = await context.images.getRaw(entry.image, 3);
        controls.push({
          image: preprocess ? await runPreprocessor(raw, entry.type, {}, modelPreprocessors) : raw,
          strength: entry.strength,
        });
      }
      const first = controls[0]!.image;
      const generation = resolveGeneration(prompt, options, model, {
        width: first.width,
        height: first.height,
      });
      const releases: (() => void)[] = [];
      try {
        const items = await pipeline.generate(
          generation,
          context,
          {},
          {
            async denoiseHooks({ size }) {
              const prepared = await controlnetHooks(pipeline, model, controls, size);
              releases.push(prepared.release);
              return prepared.hooks;
            },
          },
        );
        return await storeItems(items, context.images, (item) => ({
          parameters: a1111Parameters(generation, item.seed, {
            ControlNet: `${type} ${strength}${controls.length > 1 ? ` +${controls.length - 1}` : ''}`,
          }),
          viwo: viwoChunk(CONTROLNET_CAPABILITY, 'apply', [image, prompt, type, strength], {
            ...recordedOptions(generation, item.seed),
            ...(extra ? { controls: extra } : {}),
          }),
        }));
      } finally {
        for (const release of releases) release();
      }
    },
  });
}
