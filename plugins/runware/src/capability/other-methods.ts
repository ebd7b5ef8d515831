import {
  type CapabilityCallContext,
  type CapabilityMethod,
  defineMethod,
  type ImageValue,
  param,
} from '@viwo/core';
import type { RunwareItem } from '../client/runware-messages.ts';
import { RunwarePluginError } from '../errors.ts';
import type { RunwareService } from '../runware-service.ts';
import {
  DEFAULT_BACKGROUND_MODEL,
  IMAGE_PARAM,
  OPTION_NAMES,
  PROMPT_PARAM,
} from './runware-params.ts';

/** `upscale`, `removeBackground` and `enhancePrompt`: one task, one answer each. */
export function otherMethods(service: RunwareService): Record<string, CapabilityMethod> {
  return {
    upscale: defineMethod({
      label: 'Upscale (Runware)',
      description: 'Super-resolves an image by 2, 3 or 4 on Runware',
      params: [
        IMAGE_PARAM,
        param.object(
          { factor: param.enum([2, 3, 4], { label: 'Factor', default: 2 }) },
          { name: 'options', label: 'Options', description: 'Scale factor', optional: true },
        ),
      ],
      returns: 'image',
      run: (context, image, { factor }) =>
        singleImageTask(
          service,
          context,
          'upscale',
          image,
          async (uuid) => ({ taskType: 'upscale', inputImage: uuid, upscaleFactor: factor }),
          { parameters: `Upscale: Runware, Scale: ${factor}`, options: { factor } },
        ),
    }),
    removeBackground: defineMethod({
      label: 'Remove background (Runware)',
      description: 'Cuts out the subject (transparent background) on Runware',
      params: [
        IMAGE_PARAM,
        param.object(
          {
            model: param.string({
              label: 'Model (AIR id)',
              description: `Background-removal model; default ${DEFAULT_BACKGROUND_MODEL} (RemBG 1.4)`,
              default: DEFAULT_BACKGROUND_MODEL,
            }),
            post_process_mask: param.boolean({ label: 'Smooth the mask', optional: true }),
            return_only_mask: param.boolean({ label: 'Return only the mask', optional: true }),
            alpha_matting: param.boolean({ label: 'Alpha matting', optional: true }),
          },
          {
            name: 'options',
            label: 'Options',
            description: 'Model and mask settings',
            optional: true,
          },
        ),
      ],
      returns: 'image (RGBA)',
      run: (context, image, options) => {
        const flags: Record<string, boolean> = {};
        if (options.post_process_mask !== undefined)
          flags.postProcessMask = options.post_process_mask;
        if (options.return_only_mask !== undefined) flags.returnOnlyMask = options.return_only_mask;
        if (options.alpha_matting !== undefined) flags.alphaMatting = options.alpha_matting;
        return singleImageTask(
          service,
          context,
          'removeBackground',
          image,
          async (uuid) => ({
            taskType: 'removeBackground',
            inputImage: uuid,
            model: options.model,
            ...(Object.keys(flags).length > 0 ? { settings: flags } : {}),
          }),
          { parameters: `Remove background: Runware, Model: ${options.model}`, options },
        );
      },
    }),
    enhancePrompt: defineMethod({
      label: 'Enhance prompt (Runware)',
      description: 'Rewrites a short prompt into a richer one on Runware',
      params: [
        PROMPT_PARAM,
        param.object(
          {
            max_length: param.integer({
              label: 'Max length',
              description: 'Longest enhanced prompt, in tokens',
              min: 12,
              max: 400,
              default: 120,
            }),
          },
          {
            name: 'options',
            label: 'Options',
            description: 'Length of the enhanced prompt',
            optional: true,
          },
        ),
      ],
      returns: 'string',
      run: (context, prompt, { max_length: maxLength }) => {
        const progress = service.progress(context, 'enhancePrompt', 1);
        return service.withSlot(context, progress, async () => {
          const items = await service.client.run({
            task: {
              taskType: 'promptEnhance',
              prompt,
              promptMaxLength: maxLength,
              promptVersions: 1,
              includeCost: true,
            },
            timeoutMs: service.settings.taskTimeoutMs,
            signal: context.signal,
            optionNames: { ...OPTION_NAMES, prompt: 'prompt' },
            onSent: () => progress.sent(),
            onItem: () => {
              progress.received(0);
              return true;
            },
          });
          const item = items[0]!;
          if (typeof item.text !== 'string') {
            throw new RunwarePluginError(
              'bad-response',
              'Runware answered badly: the enhanced prompt has no text',
            );
          }
          service.record(context, item);
          return item.text;
        });
      },
    }),
  };
}

/** Uploads one input image, runs one task on it, stores the single resulting image. */
function singleImageTask(
  service: RunwareService,
  context: CapabilityCallContext,
  method: string,
  input: ImageValue,
  build: (uuid: string) => Promise<Record<string, unknown> & { taskType: string }>,
  recorded: { parameters: string; options: Record<string, unknown> },
): Promise<ImageValue> {
  const progress = service.progress(context, method, 1);
  return service.withSlot(context, progress, async () => {
    const task = {
      ...(await build(await service.upload(context, input))),
      outputType: service.settings.outputType,
      outputFormat: 'PNG',
      includeCost: true,
    };
    const items = await service.client.run({
      task,
      timeoutMs: service.settings.taskTimeoutMs,
      signal: context.signal,
      optionNames: OPTION_NAMES,
      onSent: () => progress.sent(),
      onItem: () => {
        progress.received(0);
        return true;
      },
    });
    const item: RunwareItem = items[0]!;
    const prepared = await service.prepareImage(context, item);
    const script = [
      'std.call_method',
      ['get_capability', 'runware'],
      method,
      input,
      recorded.options,
    ];
    const image = await service.storeImage(context, prepared, {
      parameters: recorded.parameters,
      viwo: JSON.stringify({
        script,
        params: { type: 'runware', method, options: recorded.options },
      }),
    });
    service.record(context, item);
    return image;
  });
}
