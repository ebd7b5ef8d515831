import type {
  CapabilityCallContext,
  CapabilityDefinition,
  CapabilityParam,
  ImageValue,
  RawImage,
} from '@viwo/core';
import { estimateCost, pickModel, resolveWithBudget } from '../capability/generate-capability.ts';
import { generationOptionFields } from '../capability/generation-params.ts';
import { InvalidOptionError } from '../pipeline/generation-request.ts';
import { a1111Parameters, recordedOptions, viwoChunk } from '../pipeline/png-parameters.ts';
import { type StableDiffusionPipeline, storeItems } from '../pipeline/stable-diffusion-pipeline.ts';
import type { DepthPreprocessor } from '../preprocessors/depth-preprocessor.ts';
import type { PoseClient } from '../preprocessors/pose-client.ts';
import { DEFAULT_POSE_CONFIDENCE } from '../preprocessors/pose-skeleton.ts';
import { PREPROCESSOR_TYPES, preprocessImage } from '../preprocessors/preprocess-image.ts';
import { schedulerNames } from '../schedulers/create-scheduler.ts';
import '../tiny-models/tiny-controlnet-model.ts';
import { controlnetHooks, controlnetPath, type PreparedControl } from './controlnet-hooks.ts';

/** Capability type of ControlNet generation and its preprocessors. */
export const CONTROLNET_CAPABILITY = 'controlnet.generate';

const PREPROCESS_FIELDS: CapabilityParam[] = [
  {
    name: 'low_threshold',
    type: 'number',
    label: 'Low threshold',
    description: 'canny: weak-edge threshold (0–255 scale)',
    default: 100,
    min: 0,
    max: 1020,
    optional: true,
  },
  {
    name: 'high_threshold',
    type: 'number',
    label: 'High threshold',
    description: 'canny: strong-edge threshold (0–255 scale)',
    default: 200,
    min: 0,
    max: 1020,
    optional: true,
  },
  {
    name: 'threshold',
    type: 'number',
    label: 'Threshold',
    description: 'scribble: darker than this becomes a line',
    default: 128,
    min: 0,
    max: 255,
    optional: true,
  },
  {
    name: 'min_confidence',
    type: 'number',
    label: 'Keypoint confidence',
    description: 'pose: keypoints (and their limbs) below this confidence are not drawn',
    default: DEFAULT_POSE_CONFIDENCE,
    min: 0,
    max: 1,
    optional: true,
  },
  {
    name: 'sigma',
    type: 'number',
    label: 'Sigma',
    description: 'softedge: line scale in pixels',
    default: 1,
    min: 0.3,
    max: 8,
    optional: true,
  },
];
const RELEVANT: Record<string, string[]> = {
  canny: ['low_threshold', 'high_threshold'],
  scribble: ['threshold'],
  softedge: ['sigma'],
  pose: ['min_confidence'],
};

function imageValue(value: unknown, name: string): ImageValue {
  const candidate = value as Partial<ImageValue> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.$image !== 'string') {
    throw new InvalidOptionError(name, `${name} must be an image value {$image, width, height}`);
  }
  return candidate as ImageValue;
}

function controlType(value: unknown, name: string, available: readonly string[]): string {
  if (typeof value !== 'string' || !available.includes(value)) {
    throw new InvalidOptionError(
      name,
      `unknown control type '${String(value)}' (available: ${available.join(', ')})`,
    );
  }
  return value;
}

/** Preprocessors backed by configured ONNX models (offered only when configured). */
export interface ModelPreprocessors {
  depth?: DepthPreprocessor;
  /** MoveNet pose detection (real weights from npm), drawn as OpenPose skeletons. */
  pose?: PoseClient;
}

/** Runs the model-backed preprocessor of `type` when there is one, else the model-free one. */
async function runPreprocessor(
  raw: RawImage,
  type: string,
  options: Record<string, unknown>,
  models: ModelPreprocessors,
): Promise<RawImage> {
  if (type === 'depth' && models.depth) {
    const unknown = Object.keys(options);
    if (unknown.length > 0)
      throw new InvalidOptionError(
        unknown[0]!,
        `unknown option '${unknown[0]}' for depth (allowed: none)`,
      );
    return models.depth.run(raw);
  }
  if (type === 'pose' && models.pose) {
    const confidence = options.min_confidence ?? DEFAULT_POSE_CONFIDENCE;
    if (typeof confidence !== 'number' || !(confidence >= 0 && confidence <= 1)) {
      throw new InvalidOptionError('min_confidence', 'min_confidence must be a number from 0 to 1');
    }
    return (await models.pose.run(raw, confidence)).image;
  }
  return preprocessImage(raw, type, options);
}

function controlStrength(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 2) {
    throw new InvalidOptionError(
      name,
      `${name} must be a number from 0 to 2, got ${String(value)}`,
    );
  }
  return value;
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
  const methods: CapabilityDefinition['methods'] = {
    preprocess: {
      label: 'Preprocess',
      description: 'Turns an image into a control image of the given type (same size)',
      params: [
        { name: 'image', type: 'image', label: 'Image', description: 'Source image' },
        {
          name: 'type',
          type: 'enum',
          label: 'Control type',
          description: 'Preprocessor',
          options: [...controlTypes],
        },
        {
          name: 'options',
          type: 'object',
          label: 'Options',
          description: 'Preprocessor settings',
          optional: true,
          fields: PREPROCESS_FIELDS,
        },
      ],
      returns: 'image',
      async run(context, image, type, options) {
        const raw = await context.images.getRaw(imageValue(image, 'image'), 3);
        // Core fills declared defaults in; keep only the keys that belong to this type.
        const given = (options ?? {}) as Record<string, unknown>;
        const picked = Object.fromEntries(
          Object.entries(given).filter(([key]) => RELEVANT[String(type)]?.includes(key)),
        );
        const control = await runPreprocessor(
          raw,
          controlType(type, 'type', controlTypes),
          picked,
          modelPreprocessors,
        );
        return context.images.putRaw(control, {
          viwo: JSON.stringify({ preprocess: type, options: picked }),
        });
      },
    },
  };
  if (controlModels().length > 0) {
    methods.apply = {
      label: 'Generate with ControlNet',
      description: 'Text-to-image steered by control images (edges, scribbles, soft edges)',
      get params(): CapabilityParam[] {
        const defaultModel = controlModels()[0]!.id;
        return [
          {
            name: 'image',
            type: 'image',
            label: 'Control source',
            description: 'Image the control is taken from',
          },
          { name: 'prompt', type: 'text', label: 'Prompt', description: 'What to generate' },
          {
            name: 'type',
            type: 'enum',
            label: 'Control type',
            description: 'Preprocessor for the control image',
            options: [...controlTypes],
          },
          {
            name: 'strength',
            type: 'number',
            label: 'Strength',
            description: 'ControlNet conditioning scale',
            min: 0,
            max: 2,
            step: 0.05,
          },
          {
            name: 'options',
            type: 'object',
            label: 'Options',
            description: 'Generation options, more controls, and whether to preprocess',
            optional: true,
            fields: [
              ...generationOptionFields(
                controlModels().map((model) => model.id),
                schedulerNames(),
                defaultModel,
              ),
              {
                name: 'controls',
                type: 'list',
                label: 'More controls',
                description: 'Further controls [{image, type, strength}]; residuals are summed',
                optional: true,
                items: {
                  name: 'control',
                  type: 'object',
                  fields: [
                    { name: 'image', type: 'image', label: 'Image', description: 'Control source' },
                    {
                      name: 'type',
                      type: 'enum',
                      label: 'Type',
                      description: 'Preprocessor',
                      options: [...controlTypes],
                    },
                    {
                      name: 'strength',
                      type: 'number',
                      label: 'Strength',
                      description: 'Conditioning scale',
                      min: 0,
                      max: 2,
                    },
                  ],
                },
              },
              {
                name: 'preprocess',
                type: 'boolean',
                label: 'Preprocess',
                description:
                  'Run the preprocessor of the type on each control image (off when they already are control images)',
                default: true,
                optional: true,
              },
            ],
          },
        ];
      },
      returns: 'image (a list of images when batch_size > 1)',
      cost(args) {
        const image = args[0] as Partial<ImageValue> | undefined;
        const {
          controls: _controls,
          preprocess: _preprocess,
          ...options
        } = (args[4] ?? {}) as Record<string, unknown>;
        return estimateCost(
          registry,
          args[1],
          { model_id: controlModels()[0]?.id, ...options },
          { width: image?.width, height: image?.height },
        );
      },
      async run(context: CapabilityCallContext, image, prompt, type, strength, rawOptions) {
        const {
          controls: extra,
          preprocess,
          ...options
        } = (rawOptions ?? {}) as Record<string, unknown>;
        const model = pickModel(
          registry,
          (options.model_id as string | undefined) ?? controlModels()[0]!.id,
        );
        if (!controlnetPath(model))
          throw new InvalidOptionError(
            'model_id',
            `model '${model.id}' has no ControlNet (controlnet/model.onnx); use one of ${controlModels()
              .map((entry) => entry.id)
              .join(', ')}`,
          );
        const requested = [{ image, type, strength, where: '' }];
        if (extra !== undefined) {
          if (!Array.isArray(extra))
            throw new InvalidOptionError(
              'controls',
              'controls must be a list of {image, type, strength}',
            );
          extra.forEach((control, index) => {
            requested.push({
              ...(control as Record<string, unknown>),
              where: `controls[${index}].`,
            } as (typeof requested)[number]);
          });
        }
        const controls: PreparedControl[] = [];
        for (const entry of requested) {
          const raw = await context.images.getRaw(
            imageValue(entry.image, `${entry.where}image`),
            3,
          );
          const kind = controlType(entry.type, `${entry.where}type`, controlTypes);
          controls.push({
            image:
              preprocess === false ? raw : await runPreprocessor(raw, kind, {}, modelPreprocessors),
            strength: controlStrength(entry.strength, `${entry.where}strength`),
          });
        }
        const first = controls[0]!.image;
        const generation = resolveWithBudget(
          registry,
          prompt,
          { ...options, model_id: model.id },
          { width: first.width, height: first.height },
        );
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
              ControlNet: `${String(type)} ${String(strength)}${controls.length > 1 ? ` +${controls.length - 1}` : ''}`,
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
    };
  }
  return {
    type: CONTROLNET_CAPABILITY,
    label: 'ControlNet',
    description: 'Generation steered by control images, and the preprocessors that make them',
    methods,
  };
}
