import { randomBytes, randomUUID } from 'node:crypto';
import { cutOut, paintImage, resizeImage, tinyMp4 } from './stand-in-media.ts';

/** What the stand-in keeps between tasks. */
export interface StandInState {
  /** Uploaded and generated files by UUID (served at `/media/<uuid>.<ext>`). */
  media: Map<string, Uint8Array>;
  /** Async video tasks by taskUUID: polls left before they finish, and the finished item. */
  videos: Map<string, { pollsLeft: number; item: Record<string, unknown> }>;
  videoPolls: number;
  costPerImage: number;
  baseUrl: string;
}

/** One downstream message. */
export type TaskAnswer =
  | { data: Record<string, unknown>[] }
  | { errors: Record<string, unknown>[] };

interface Faults {
  oversizeBytes?: number;
  foreignUrl: boolean;
}

const AIR = /^[a-z0-9_-]+:\d+@\d+$/i;

/** A Runware validation error naming the parameter. */
function invalid(task: Record<string, unknown>, parameter: string, message: string): TaskAnswer[] {
  return [
    {
      errors: [
        {
          code: `invalid${parameter[0]!.toUpperCase()}${parameter.slice(1)}`,
          message,
          parameter,
          type: 'string',
          taskType: task.taskType,
          taskUUID: task.taskUUID,
        },
      ],
    },
  ];
}

/** Answers one authenticated task the way Runware does (one message per result item). */
export async function answerTask(
  state: StandInState,
  task: Record<string, unknown>,
  faults: Faults,
): Promise<TaskAnswer[]> {
  if (typeof task.taskUUID !== 'string') return invalid(task, 'taskUUID', 'taskUUID is required');
  switch (task.taskType) {
    case 'imageUpload':
      return upload(state, task);
    case 'imageInference':
      return inference(state, task, faults);
    case 'upscale':
    case 'removeBackground':
      return transform(state, task, faults);
    case 'promptEnhance':
      return enhance(task);
    case 'videoInference':
      return startVideo(state, task);
    case 'getResponse':
      return pollVideo(state, task);
    default:
      return invalid(task, 'taskType', `unknown taskType ${String(task.taskType)}`);
  }
}

function upload(state: StandInState, task: Record<string, unknown>): TaskAnswer[] {
  const image = typeof task.image === 'string' ? task.image : '';
  const base64 = image.replace(/^data:image\/[a-z]+;base64,/, '');
  if (base64.length === 0) return invalid(task, 'image', 'image must be a data URI or base64');
  const uuid = randomUUID();
  state.media.set(uuid, new Uint8Array(Buffer.from(base64, 'base64')));
  return [
    {
      data: [
        {
          taskType: 'imageUpload',
          taskUUID: task.taskUUID,
          imageUUID: uuid,
          imageURL: `${state.baseUrl}/media/${uuid}.png`,
        },
      ],
    },
  ];
}

function checkSize(task: Record<string, unknown>, name: 'width' | 'height'): TaskAnswer[] | null {
  const value = task[name];
  if (value === undefined) return null;
  if (typeof value !== 'number' || value % 64 !== 0 || value < 128 || value > 2048) {
    return invalid(
      task,
      name,
      `Invalid value for ${name}: must be a multiple of 64 between 128 and 2048`,
    );
  }
  return null;
}

async function inference(
  state: StandInState,
  task: Record<string, unknown>,
  faults: Faults,
): Promise<TaskAnswer[]> {
  const prompt = task.positivePrompt;
  if (typeof prompt !== 'string' || prompt.length < 2 || prompt.length > 3000) {
    return invalid(
      task,
      'positivePrompt',
      'Invalid value for positivePrompt: 2 to 3000 characters',
    );
  }
  if (typeof task.model !== 'string' || !AIR.test(task.model)) {
    return invalid(task, 'model', 'Invalid value for model: expected an AIR id like runware:101@1');
  }
  const sizeError = checkSize(task, 'width') ?? checkSize(task, 'height');
  if (sizeError) return sizeError;
  if (
    task.steps !== undefined &&
    (typeof task.steps !== 'number' || task.steps < 1 || task.steps > 100)
  ) {
    return invalid(task, 'steps', 'Invalid value for steps: 1 to 100');
  }
  if (task.CFGScale !== undefined && (typeof task.CFGScale !== 'number' || task.CFGScale > 50)) {
    return invalid(task, 'CFGScale', 'Invalid value for CFGScale: 0 to 50');
  }
  for (const name of ['seedImage', 'maskImage'] as const) {
    if (task[name] !== undefined && !state.media.has(String(task[name]))) {
      return invalid(task, name, `Invalid value for ${name}: unknown image UUID`);
    }
  }
  const count = typeof task.numberResults === 'number' ? task.numberResults : 1;
  const seed = typeof task.seed === 'number' ? task.seed : 1 + Math.floor(Math.random() * 2 ** 31);
  const width = (task.width as number | undefined) ?? 1024;
  const height = (task.height as number | undefined) ?? 1024;
  const answers: TaskAnswer[] = [];
  for (let index = 0; index < count; index++) {
    const png = faults.oversizeBytes
      ? new Uint8Array(randomBytes(faults.oversizeBytes))
      : await paintImage({ prompt, model: task.model, seed: seed + index }, width, height);
    answers.push({ data: [resultItem(state, task, png, 'image', { seed: seed + index }, faults)] });
  }
  return answers;
}

/** A result item carrying the bytes as the task's `outputType` asks. */
function resultItem(
  state: StandInState,
  task: Record<string, unknown>,
  bytes: Uint8Array,
  kind: 'image' | 'video',
  extra: Record<string, unknown>,
  faults: Faults,
): Record<string, unknown> {
  const uuid = randomUUID();
  const item: Record<string, unknown> = {
    taskType: task.taskType,
    taskUUID: task.taskUUID,
    [`${kind}UUID`]: uuid,
    ...extra,
  };
  if (task.includeCost === true) item.cost = state.costPerImage;
  const ext = kind === 'image' ? 'png' : 'mp4';
  const outputType = kind === 'video' ? 'URL' : (task.outputType ?? 'URL');
  state.media.set(uuid, bytes);
  if (outputType === 'base64Data')
    item[`${kind}Base64Data`] = Buffer.from(bytes).toString('base64');
  else if (outputType === 'dataURI') {
    item[`${kind}DataURI`] = `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`;
  } else {
    const base = faults.foreignUrl ? 'http://169.254.169.254' : state.baseUrl;
    item[`${kind}URL`] = `${base}/media/${uuid}.${ext}`;
  }
  return item;
}

async function transform(
  state: StandInState,
  task: Record<string, unknown>,
  faults: Faults,
): Promise<TaskAnswer[]> {
  const input = state.media.get(String(task.inputImage));
  if (!input)
    return invalid(task, 'inputImage', 'Invalid value for inputImage: unknown image UUID');
  let bytes: Uint8Array;
  if (task.taskType === 'upscale') {
    const factor = task.upscaleFactor;
    if (typeof factor !== 'number' || factor < 2 || factor > 4) {
      return invalid(task, 'upscaleFactor', 'Invalid value for upscaleFactor: 2 to 4');
    }
    bytes = await resizeImage(input, factor);
  } else {
    if (typeof task.model !== 'string' || !AIR.test(task.model)) {
      return invalid(task, 'model', 'Invalid value for model: expected an AIR id');
    }
    bytes = await cutOut(input);
  }
  return [{ data: [resultItem(state, task, bytes, 'image', {}, faults)] }];
}

function enhance(task: Record<string, unknown>): TaskAnswer[] {
  const prompt = task.prompt;
  if (typeof prompt !== 'string' || prompt.length < 2) {
    return invalid(task, 'prompt', 'Invalid value for prompt');
  }
  const versions = typeof task.promptVersions === 'number' ? task.promptVersions : 1;
  const data = Array.from({ length: versions }, (_, index) => ({
    taskType: 'promptEnhance',
    taskUUID: task.taskUUID,
    text: `${prompt}, highly detailed, dramatic lighting, version ${index + 1}`,
    ...(task.includeCost === true ? { cost: 0.0001 } : {}),
  }));
  return [{ data }];
}

function startVideo(state: StandInState, task: Record<string, unknown>): TaskAnswer[] {
  if (task.deliveryMethod !== 'async') {
    return invalid(task, 'deliveryMethod', 'videoInference requires deliveryMethod "async"');
  }
  if (typeof task.model !== 'string' || !AIR.test(task.model)) {
    return invalid(task, 'model', 'Invalid value for model: expected an AIR id');
  }
  const width = typeof task.width === 'number' ? task.width : 1280;
  const height = typeof task.height === 'number' ? task.height : 720;
  const duration = typeof task.duration === 'number' ? task.duration : 5;
  const seed = typeof task.seed === 'number' ? task.seed : 1;
  const item = resultItem(
    state,
    task,
    tinyMp4(width, height, duration, seed),
    'video',
    { seed, status: 'success' },
    {
      foreignUrl: false,
    },
  );
  state.videos.set(String(task.taskUUID), { pollsLeft: state.videoPolls, item });
  return [{ data: [{ taskType: 'videoInference', taskUUID: task.taskUUID }] }];
}

function pollVideo(state: StandInState, task: Record<string, unknown>): TaskAnswer[] {
  const video = state.videos.get(String(task.taskUUID));
  if (!video) return invalid(task, 'taskUUID', 'no task with this taskUUID');
  if (video.pollsLeft > 0) {
    video.pollsLeft--;
    return [
      { data: [{ taskType: 'videoInference', taskUUID: task.taskUUID, status: 'processing' }] },
    ];
  }
  return [{ data: [video.item] }];
}
