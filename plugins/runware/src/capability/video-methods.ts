import { randomInt } from 'node:crypto';
import {
  type CapabilityCallContext,
  type CapabilityMethod,
  defineMethod,
  type ImageValue,
  type ParamValue,
} from '@viwo/core';
import type { VideoValue } from '@viwo/protocol';
import type { RunwareItem } from '../client/runware-messages.ts';
import { RunwarePluginError } from '../errors.ts';
import type { RunwareService } from '../runware-service.ts';
import { IMAGE_PARAM, OPTION_NAMES, PROMPT_PARAM, videoOptions } from './runware-params.ts';

/** Video options as validated by core against the metadata. */
type VideoOptions = ParamValue<typeof videoOptions>;

/** `textToVideo` and `imageToVideo` over Runware's asynchronous `videoInference`. */
export function videoMethods(service: RunwareService): Record<string, CapabilityMethod> {
  return {
    textToVideo: defineMethod({
      label: 'Text to video (Runware)',
      description: 'Generates a short video from a prompt on Runware (answers asynchronously)',
      params: [PROMPT_PARAM, videoOptions],
      returns: 'video',
      run: (context, prompt, options) => runVideo(service, context, 'textToVideo', prompt, options),
    }),
    imageToVideo: defineMethod({
      label: 'Image to video (Runware)',
      description: 'Animates an image (its first frame) guided by a prompt on Runware',
      params: [IMAGE_PARAM, PROMPT_PARAM, videoOptions],
      returns: 'video',
      run: (context, image, prompt, options) =>
        runVideo(service, context, 'imageToVideo', prompt, options, image),
    }),
  };
}

/**
 * Sends a `videoInference` (async delivery), then polls `getResponse` every `pollIntervalMs`
 * until the video is ready, failed, or `videoTimeoutMs` has passed; stores the file.
 */
async function runVideo(
  service: RunwareService,
  context: CapabilityCallContext,
  method: string,
  prompt: string,
  options: VideoOptions,
  image?: ImageValue,
): Promise<VideoValue> {
  const progress = service.progress(context, method, 1);
  const started = Date.now();
  const deadline = started + service.settings.videoTimeoutMs;
  return service.withSlot(context, progress, async () => {
    const task: Record<string, unknown> & { taskType: string } = {
      taskType: 'videoInference',
      deliveryMethod: 'async',
      positivePrompt: prompt,
      model: options.model_id,
      duration: options.duration,
      seed: options.seed ?? randomInt(1, 2 ** 31),
      numberResults: 1,
      outputType: 'URL',
      outputFormat: 'MP4',
      includeCost: true,
    };
    if (options.width !== undefined) task.width = options.width;
    if (options.height !== undefined) task.height = options.height;
    if (options.fps !== undefined) task.fps = options.fps;
    if (options.negative_prompt) task.negativePrompt = options.negative_prompt;
    if (image)
      task.frameImages = [{ inputImage: await service.upload(context, image), frame: 'first' }];
    const [ack] = await service.client.run({
      task,
      timeoutMs: service.settings.taskTimeoutMs,
      signal: context.signal,
      optionNames: OPTION_NAMES,
      onSent: () => progress.sent(),
      onItem: () => true,
    });
    let done = finished(ack!);
    while (!done) {
      await pause(service.settings.pollIntervalMs, context.signal);
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new RunwarePluginError(
          'unavailable',
          `Runware did not finish the video within ${service.settings.videoTimeoutMs / 1000} s`,
        );
      }
      const answer = await service.client.run({
        task: { taskType: 'getResponse' },
        taskUUID: ack!.taskUUID,
        timeoutMs: Math.min(left, service.settings.taskTimeoutMs),
        signal: context.signal,
        optionNames: OPTION_NAMES,
        onItem: () => true,
      });
      done = answer.map(finished).find(Boolean) ?? null;
      if (!done) {
        const seconds = Math.round((Date.now() - started) / 1000);
        context.progress({
          label: `runware ${method}: processing (${seconds} s)`,
          step: 1,
          total: 2,
        });
      }
    }
    progress.received(0);
    const value = await service.storeVideo(context, done, {
      width: options.width ?? 0,
      height: options.height ?? 0,
      duration: options.duration,
    });
    service.record(context, done);
    return value;
  });
}

/** The finished item, null while processing; a failed status is an error. */
function finished(item: RunwareItem): RunwareItem | null {
  if (item.status === 'success' || typeof item.videoURL === 'string') return item;
  if (item.status === 'error' || item.status === 'failed') {
    throw new RunwarePluginError('refused', 'Runware could not generate the video');
  }
  return null;
}

/** Waits `ms`, or rejects at once with the signal's reason when cancelled. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
