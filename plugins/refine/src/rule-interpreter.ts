import { applyIntent, type EditState } from './apply-intent.ts';
import { type Intent, parseModification } from './parse-modification.ts';
import { joinPhrases, splitPhrases, squash } from './prompt-text.ts';
import { ACTION_STRENGTH, EXAMPLE_FORMS } from './vocabulary.ts';

/** What kind of edit an interpretation made. */
export type RefineAction = keyof typeof ACTION_STRENGTH | 'multiple';

/** The result of `refine.interpret` (ARCHITECTURE.md, Conversations). */
export interface Interpretation {
  prompt: string;
  negative_prompt: string;
  strength: number;
  action: RefineAction;
  explanation: string;
}

/** Either an interpretation or why the rules could not make one (never an exception). */
export type RuleOutcome =
  | { ok: true; interpretation: Interpretation }
  | { ok: false; message: string };

/** Longest modification the rules read; longer text is refused rather than half-understood. */
export const MAX_MODIFICATION_LENGTH = 500;

/** Longest prompt the rules edit (Stable Diffusion reads far less; this bounds the work). */
export const MAX_PROMPT_LENGTH = 8000;

function actionOf(intent: Intent): keyof typeof ACTION_STRENGTH {
  return intent.kind === 'background' ? 'replace' : intent.kind;
}

function notUnderstood(modification: string): string {
  return `the rules did not understand ${JSON.stringify(squash(modification))}; forms that work: ${EXAMPLE_FORMS.map((form) => `"${form}"`).join(', ')}`;
}

/** Applies a list of intents in order; the first one that cannot apply stops with its reason. */
function applyAll(
  state: EditState,
  intents: readonly Intent[],
): { ok: true; state: EditState; explanations: string[] } | { ok: false; message: string } {
  let current = state;
  const explanations: string[] = [];
  for (const intent of intents) {
    const outcome = applyIntent(current, intent);
    if (!outcome.ok) return outcome;
    current = outcome.state;
    explanations.push(outcome.explanation);
  }
  return { ok: true, state: current, explanations };
}

/** Splits "make the ball red and add a bird" into parts when every part is understood alone. */
function splitIntents(text: string): Intent[] | null {
  const parts = text.split(/\s*(?:;|,|\band then\b|\bthen\b|\balso\b|\band\b)\s*/i).filter(Boolean);
  if (parts.length < 2) return null;
  const intents = parts.map(parseModification);
  return intents.every((intent): intent is Intent => intent !== null) ? intents : null;
}

/**
 * Interprets a modification against a prompt with the rules alone. Never throws: text the rules
 * do not understand, or an edit that names something absent from the prompt, comes back as
 * `{ok: false, message}` suggesting forms that work (nothing is silently appended).
 */
export function interpretWithRules(
  prompt: string,
  modification: string,
  negativePrompt = '',
): RuleOutcome {
  const text = squash(String(modification ?? ''));
  if (text.length === 0)
    return {
      ok: false,
      message: 'the modification is empty; say what to change, e.g. "make the ball red"',
    };
  if (text.length > MAX_MODIFICATION_LENGTH) {
    return {
      ok: false,
      message: `the modification is ${text.length} characters; the limit is ${MAX_MODIFICATION_LENGTH}`,
    };
  }
  if (String(prompt ?? '').length > MAX_PROMPT_LENGTH) {
    return {
      ok: false,
      message: `the prompt is ${String(prompt).length} characters; the limit is ${MAX_PROMPT_LENGTH}`,
    };
  }
  const state: EditState = {
    phrases: splitPhrases(String(prompt ?? '')),
    negative: joinPhrases(splitPhrases(String(negativePrompt ?? ''))),
  };
  const candidates: Intent[][] = [];
  const split = splitIntents(text);
  if (split) candidates.push(split);
  const whole = parseModification(text);
  if (whole) candidates.push([whole]);
  if (candidates.length === 0) return { ok: false, message: notUnderstood(text) };
  let failure = '';
  for (const intents of candidates) {
    const applied = applyAll(state, intents);
    if (!applied.ok) {
      failure ||= applied.message;
      continue;
    }
    const actions = intents.map(actionOf);
    return {
      ok: true,
      interpretation: {
        prompt: joinPhrases(applied.state.phrases),
        negative_prompt: applied.state.negative,
        strength: Math.max(...actions.map((action) => ACTION_STRENGTH[action])),
        action: actions.length === 1 ? actions[0]! : 'multiple',
        explanation: applied.explanations.join(' '),
      },
    };
  }
  return { ok: false, message: failure };
}
