import type { TaskAnswer } from './stand-in-tasks.ts';

/**
 * One catalogue entry as Runware's `modelSearch` answers it (the fields its docs and SDK name:
 * `air`, `name`, `version`, `category`, `architecture`, `type` for checkpoints, `tags`,
 * `heroImage`, `private`, `comment`, and the defaults a checkpoint suggests).
 */
export interface StandInModel {
  air: string;
  name: string;
  version: string;
  category: string;
  architecture: string;
  type?: string;
  tags: string[];
  heroImage: string;
  private: boolean;
  comment: string;
  [field: string]: unknown;
}

const HERO = 'https://im.runware.ai/image/ii/hero';

function checkpoint(
  air: string,
  name: string,
  version: string,
  architecture: string,
  tags: string[],
  defaults: { width: number; height: number; steps: number; CFG: number },
): StandInModel {
  return {
    air,
    name,
    version,
    category: 'checkpoint',
    architecture,
    type: 'base',
    tags,
    heroImage: `${HERO}/${air.replace(/[:@]/g, '-')}.jpg`,
    private: false,
    comment: '',
    defaultWidth: defaults.width,
    defaultHeight: defaults.height,
    defaultSteps: defaults.steps,
    defaultCFG: defaults.CFG,
    defaultScheduler: 'Default',
  };
}

/** The stand-in's default catalogue: a few well-known checkpoints, a LoRA and a ControlNet. */
export const STAND_IN_MODELS: readonly StandInModel[] = [
  checkpoint('runware:101@1', 'FLUX.1 [dev]', '1.0', 'flux1d', ['flux', 'base model'], {
    width: 1024,
    height: 1024,
    steps: 28,
    CFG: 3.5,
  }),
  checkpoint('runware:100@1', 'FLUX.1 [schnell]', '1.0', 'flux1s', ['flux', 'fast'], {
    width: 1024,
    height: 1024,
    steps: 4,
    CFG: 1,
  }),
  checkpoint('civitai:4384@128713', 'DreamShaper', '8', 'sd1x', ['anime', 'art', 'general'], {
    width: 512,
    height: 512,
    steps: 25,
    CFG: 7,
  }),
  checkpoint('civitai:4201@245598', 'Realistic Vision', 'V6.0 B1', 'sd1x', ['photorealistic'], {
    width: 512,
    height: 768,
    steps: 25,
    CFG: 5,
  }),
  checkpoint('civitai:133005@782002', 'Juggernaut XL', 'XI', 'sdxl', ['photorealistic', 'sdxl'], {
    width: 1024,
    height: 1024,
    steps: 30,
    CFG: 4.5,
  }),
  checkpoint('civitai:139562@344487', 'RealVisXL', 'V4.0', 'sdxl', ['photorealistic', 'sdxl'], {
    width: 1024,
    height: 1024,
    steps: 25,
    CFG: 6,
  }),
  checkpoint('civitai:101055@128078', 'SD XL', '1.0 base', 'sdxl', ['base model', 'sdxl'], {
    width: 1024,
    height: 1024,
    steps: 30,
    CFG: 7,
  }),
  {
    air: 'civitai:58390@62833',
    name: 'Detail Tweaker',
    version: '1.0',
    category: 'lora',
    architecture: 'sd1x',
    tags: ['detail', 'photorealistic'],
    heroImage: `${HERO}/detail-tweaker.jpg`,
    private: false,
    comment: '',
    positiveTriggerWords: '',
    defaultWeight: 1,
  },
  {
    air: 'runware:20@1',
    name: 'SDXL Canny',
    version: '1.0',
    category: 'controlnet',
    architecture: 'sdxl',
    conditioning: 'canny',
    tags: ['controlnet'],
    heroImage: `${HERO}/sdxl-canny.jpg`,
    private: false,
    comment: '',
  },
];

const CATEGORIES = ['checkpoint', 'lora', 'lycoris', 'controlnet', 'vae', 'embeddings'];
const TYPES = ['base', 'inpainting', 'pix2pix'];
const VISIBILITIES = ['public', 'private', 'all'];

/** A Runware validation error naming the parameter (the shape every task's refusals have). */
function invalid(task: Record<string, unknown>, parameter: string, message: string): TaskAnswer {
  return {
    errors: [
      {
        code: `invalid${parameter[0]!.toUpperCase()}${parameter.slice(1)}`,
        message,
        parameter,
        type: parameter === 'limit' || parameter === 'offset' ? 'integer' : 'string',
        taskType: task.taskType,
        taskUUID: task.taskUUID,
      },
    ],
  };
}

function integerIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** The first refusal a modelSearch task earns, or null when its fields are valid. */
function refusal(task: Record<string, unknown>): TaskAnswer | null {
  if (typeof task.taskUUID !== 'string') return invalid(task, 'taskUUID', 'taskUUID is required');
  if (typeof task.search !== 'string' || task.search.length === 0) {
    return invalid(task, 'search', 'Invalid value for search: a non-empty string is required');
  }
  if (task.limit !== undefined && !integerIn(task.limit, 1, 100)) {
    return invalid(task, 'limit', 'Invalid value for limit: an integer from 1 to 100');
  }
  if (task.offset !== undefined && !integerIn(task.offset, 0, Number.MAX_SAFE_INTEGER)) {
    return invalid(task, 'offset', 'Invalid value for offset: a non-negative integer');
  }
  const enums = { category: CATEGORIES, type: TYPES, visibility: VISIBILITIES };
  for (const [name, allowed] of Object.entries(enums)) {
    if (task[name] !== undefined && !allowed.includes(String(task[name]))) {
      return invalid(task, name, `Invalid value for ${name}: one of ${allowed.join(', ')}`);
    }
  }
  if (task.tags !== undefined && !Array.isArray(task.tags)) {
    return invalid(task, 'tags', 'Invalid value for tags: an array of strings');
  }
  return null;
}

/**
 * Answers `modelSearch` as Runware does: the search text matches name, version, tags or AIR id
 * (case-insensitive); `tags`, `category`, `type`, `architecture` filter; `visibility` `private`
 * lists the organisation's own models (none here); `offset`/`limit` (default 20) page; one item
 * `{taskType, taskUUID, results, totalResults}`. With `oversize`, it answers far more entries
 * than asked, each with a huge name (a misbehaving peer).
 */
export function answerModelSearch(
  catalogue: readonly StandInModel[],
  task: Record<string, unknown>,
  oversize: boolean,
): TaskAnswer[] {
  const refused = refusal(task);
  if (refused) return [refused];
  const needle = String(task.search).toLowerCase();
  const tags = (task.tags as unknown[] | undefined)?.map((tag) => String(tag).toLowerCase());
  const matches = catalogue.filter((model) => {
    const haystack = [model.name, model.version, model.air, ...model.tags];
    if (!haystack.some((text) => text.toLowerCase().includes(needle))) return false;
    if (tags && !tags.every((tag) => model.tags.includes(tag))) return false;
    if (task.visibility === 'private' && !model.private) return false;
    for (const field of ['category', 'type', 'architecture'] as const) {
      if (task[field] !== undefined && model[field] !== task[field]) return false;
    }
    return true;
  });
  const offset = typeof task.offset === 'number' ? task.offset : 0;
  const limit = typeof task.limit === 'number' ? task.limit : 20;
  const results = oversize
    ? Array.from({ length: 500 }, (_, index) => ({
        ...catalogue[0],
        air: `civitai:${900000 + index}@1`,
        name: `${'N'.repeat(5000)} ${index}`,
      }))
    : matches.slice(offset, offset + limit);
  return [
    {
      data: [
        {
          taskType: 'modelSearch',
          taskUUID: task.taskUUID,
          results,
          totalResults: oversize ? 500 : matches.length,
        },
      ],
    },
  ];
}
