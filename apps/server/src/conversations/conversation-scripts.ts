import type { ConversationOptions, ConversationTurn, ImageValue } from '@viwo/core';

/** What one turn generates: its prompt, seed and (for a refinement) the parent picture. */
export interface TurnGeneration {
  prompt: string;
  negative_prompt: string;
  seed: number;
  /** Image-to-image strength; null for a first turn (text-to-image). */
  strength: number | null;
  /** The parent's picture for image-to-image; null for a first turn. */
  image: ImageValue | null;
}

/** The generation option keys of the conversation's capability call. */
function generationOptions(
  options: ConversationOptions,
  turn: TurnGeneration,
): Record<string, unknown> {
  const out: Record<string, unknown> = { seed: turn.seed };
  if (options.model_id !== undefined) out.model_id = options.model_id;
  if (options.steps !== undefined) out.steps = options.steps;
  if (options.guidance_scale !== undefined) out.guidance_scale = options.guidance_scale;
  // Image-to-image takes the parent's size; only a first turn sets it.
  if (turn.image === null) {
    if (options.width !== undefined) out.width = options.width;
    if (options.height !== undefined) out.height = options.height;
  } else out.strength = turn.strength;
  if (turn.negative_prompt.length > 0) out.negative_prompt = turn.negative_prompt;
  return out;
}

/**
 * The script of one turn: a single capability call whose result is the turn's picture. A
 * refinement names its parent's picture as an image literal, so the script runs on its own.
 */
export function turnScript(options: ConversationOptions, turn: TurnGeneration): unknown[] {
  const capability = ['get_capability', options.capability ?? 'diffusers.generate'];
  if (turn.image === null) {
    return [
      'std.call_method',
      capability,
      'textToImage',
      turn.prompt,
      generationOptions(options, turn),
    ];
  }
  const image = { $image: turn.image.$image, width: turn.image.width, height: turn.image.height };
  return [
    'std.call_method',
    capability,
    'imageToImage',
    image,
    turn.prompt,
    generationOptions(options, turn),
  ];
}

/**
 * One script reproducing the last turn of `chain` (root first) from nothing: each turn's call
 * bound with `std.let`, a refinement reading its parent's variable instead of the stored picture.
 */
export function exportScript(chain: readonly ConversationTurn[]): unknown[] {
  const steps: unknown[] = ['std.seq'];
  chain.forEach((turn, index) => {
    const call = structuredClone(turn.script) as unknown[];
    if (index > 0 && call[2] === 'imageToImage') call[3] = ['std.var', `turn${index - 1}`];
    steps.push(['std.let', `turn${index}`, call]);
  });
  steps.push(['std.var', `turn${chain.length - 1}`]);
  return steps;
}
