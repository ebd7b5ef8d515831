import { attributeKind, type Intent } from './parse-modification.ts';
import {
  escapeRegExp,
  findThing,
  fixArticleAt,
  joinPhrases,
  listAdd,
  listRemove,
  nounPhraseStart,
  type Occurrence,
  spliceText,
  splitPhrases,
  squash,
  stripDeterminer,
  thingPattern,
  withArticle,
  wordsWithOffsets,
} from './prompt-text.ts';
import {
  FRAMING,
  PREPOSITIONS,
  SCENE_PARTS as SCENE_PART_LIST,
  SCENES,
  type SceneEntry,
  STYLES,
} from './vocabulary.ts';

/** The prompt being edited: its phrases and the negative prompt. */
export interface EditState {
  phrases: string[];
  negative: string;
}

/** An applied edit: the new state and a one-line explanation; or why it could not apply. */
export type EditOutcome =
  | { ok: true; state: EditState; explanation: string }
  | { ok: false; message: string };

const PREPOSITION_SET = new Set(PREPOSITIONS);
const SCENE_PARTS = new Set(SCENE_PART_LIST);
const FRAMING_SET = new Set(FRAMING);
/** Adjective kinds that go first in a noun phrase (English order: size/age/mood before colour). */
const EARLY_KINDS = new Set(['size', 'age', 'mood', 'tone']);

const quote = (text: string) => `"${text}"`;

/**
 * The main subject: the head noun of the first phrase, skipping framing ("a portrait of an old
 * man" → "man"). Null for an empty prompt.
 */
export function mainSubject(phrases: readonly string[]): Occurrence | null {
  const first = phrases[0];
  if (!first) return null;
  let words = wordsWithOffsets(first);
  const ofIndex = words.findIndex((word) => word.word.toLowerCase() === 'of');
  if (ofIndex > 0 && FRAMING_SET.has(words[ofIndex - 1]!.word.toLowerCase())) {
    words = words.slice(ofIndex + 1);
  }
  const stop = words.findIndex((word) => PREPOSITION_SET.has(word.word.toLowerCase()));
  const phraseWords = (stop === -1 ? words : words.slice(0, stop)).filter(
    (word) => !/[()[\]:]/.test(word.word),
  );
  const head = phraseWords.at(-1);
  return head ? { phrase: 0, start: head.start, end: head.end } : null;
}

function locate(state: EditState, target: string | null): Occurrence | string {
  if (target === null) {
    return mainSubject(state.phrases) ?? 'the prompt is empty, so there is no subject to change';
  }
  return (
    findThing(state.phrases, target) ??
    `${quote(target)} is not in the prompt ${quote(joinPhrases(state.phrases))}; try "add ${withArticle(target)}" first`
  );
}

function replacePhrase(state: EditState, index: number, text: string): EditState {
  const phrases = [...state.phrases];
  phrases[index] = text;
  return { ...state, phrases };
}

/** Puts a new phrase before the first style phrase, so the style stays last. */
function insertPhrase(phrases: readonly string[], phrase: string): string[] {
  const styleAt = phrases.findIndex((entry) => styleMatches(entry).length > 0);
  const next = [...phrases];
  next.splice(styleAt === -1 ? next.length : styleAt, 0, phrase);
  return next;
}

function applyAttribute(
  state: EditState,
  intent: Extract<Intent, { kind: 'attribute' }>,
): EditOutcome {
  const where = locate(state, intent.target);
  if (typeof where === 'string') {
    // Parts of every scene ("make the sky orange") may be absent from the prompt: describe them.
    if (!intent.target || !SCENE_PARTS.has(intent.target.toLowerCase())) {
      return { ok: false, message: where };
    }
    const added = `${intent.word} ${intent.target}`;
    return {
      ok: true,
      state: { ...state, phrases: insertPhrase(state.phrases, added) },
      explanation: `Added ${quote(added)} (the prompt did not mention the ${intent.target}).`,
    };
  }
  const phrase = state.phrases[where.phrase]!;
  const headWords = wordsWithOffsets(phrase.slice(where.start, where.end));
  const headStart = where.start + headWords.at(-1)!.start;
  const np = nounPhraseStart(phrase, where.start);
  const adjectiveStart = np.determiner ? np.determiner.end : np.start;
  const adjectives = wordsWithOffsets(phrase).filter(
    (word) => word.start >= adjectiveStart && word.end <= headStart,
  );
  const same = intent.attribute
    ? adjectives.filter((word) => attributeKind(word.word) === intent.attribute)
    : [];
  let text: string;
  if (same.length > 0) {
    text = phrase;
    for (const word of [...same].reverse()) {
      const replacement = word === same[0] ? intent.word : '';
      text = `${text.slice(0, word.start)}${replacement}${text.slice(word.end)}`;
    }
    text = squash(text);
  } else {
    const at = intent.attribute && EARLY_KINDS.has(intent.attribute) ? adjectiveStart : headStart;
    text = spliceText(phrase, at, at, intent.word);
  }
  if (np.determiner) text = fixArticleAt(text, np.determiner.start);
  const thing = intent.target ?? phrase.slice(where.start, where.end);
  const dropped = same.map((word) => word.word).join(' ');
  return {
    ok: true,
    state: replacePhrase(state, where.phrase, text),
    explanation: `Made the ${thing} ${intent.word}${dropped ? ` (was ${dropped})` : ''}.`,
  };
}

function applyReplace(state: EditState, intent: Extract<Intent, { kind: 'replace' }>): EditOutcome {
  const where = locate(state, intent.target);
  if (typeof where === 'string') return { ok: false, message: where };
  const phrase = state.phrases[where.phrase]!;
  const old = phrase.slice(where.start, where.end);
  const np = nounPhraseStart(phrase, where.start);
  const bare = np.determiner ? stripDeterminer(intent.replacement) : intent.replacement;
  let text = spliceText(phrase, where.start, where.end, bare);
  if (np.determiner) text = fixArticleAt(text, np.determiner.start);
  return {
    ok: true,
    state: {
      phrases: replacePhrase(state, where.phrase, text).phrases,
      negative: listRemove(state.negative, stripDeterminer(intent.replacement)),
    },
    explanation: `Replaced ${quote(old)} with ${quote(bare)}.`,
  };
}

function applyBackground(
  state: EditState,
  intent: Extract<Intent, { kind: 'background' }>,
): EditOutcome {
  const kept = state.phrases.filter((phrase) => !/\bbackground\b/i.test(phrase));
  const phrase = `${withArticle(stripDeterminer(intent.replacement))} in the background`;
  const dropped = state.phrases.filter((entry) => !kept.includes(entry));
  return {
    ok: true,
    state: { ...state, phrases: insertPhrase(kept, phrase) },
    explanation: `Set the background to ${quote(stripDeterminer(intent.replacement))}${dropped.length ? ` (was ${quote(dropped.join(', '))})` : ''}.`,
  };
}

/** Removes every occurrence of `pattern` (with a leading preposition/article) from the phrases. */
const wordPatterns = new Map<string, RegExp>();

function stripWords(phrases: readonly string[], alias: string, removed: string[]): string[] {
  let pattern = wordPatterns.get(alias);
  if (!pattern) {
    pattern = new RegExp(
      `(?:\\b(?:at|in|during|on|with)\\s+)?(?:\\b(?:the|a|an)\\s+)?(?<![\\w-])${escapeRegExp(alias)}(?![\\w-])`,
      'gi',
    );
    wordPatterns.set(alias, pattern);
  }
  const global = pattern;
  return phrases.map((phrase) =>
    // A substring test first: most phrases never mention the word, and it is much cheaper.
    !phrase.toLowerCase().includes(alias)
      ? phrase
      : squash(
          phrase.replace(global, (match) => {
            removed.push(squash(match));
            return ' ';
          }),
        ),
  );
}

function applyScene(state: EditState, scene: SceneEntry): EditOutcome {
  const removed: string[] = [];
  let phrases = [...state.phrases];
  const conflicting = [
    ...SCENES.filter((entry) => entry.group === scene.group).flatMap((entry) => [
      entry.phrase,
      ...entry.aliases,
    ]),
    ...(scene.conflicts ?? []),
  ].sort((a, b) => b.length - a.length);
  for (const alias of conflicting) phrases = stripWords(phrases, alias, removed);
  phrases = splitPhrases(joinPhrases(phrases));
  const label = { time: 'time of day', weather: 'weather', season: 'season' }[scene.group];
  return {
    ok: true,
    state: { ...state, phrases: insertPhrase(phrases, scene.phrase) },
    explanation: `Set the ${label} to ${quote(scene.phrase)}${removed.length ? ` (replacing ${removed.map(quote).join(', ')})` : ''}.`,
  };
}

function applyAdd(state: EditState, intent: Extract<Intent, { kind: 'add' }>): EditOutcome {
  const bare = stripDeterminer(intent.thing);
  if (intent.placing && findThing(state.phrases, bare)) {
    return {
      ok: false,
      message: `moving things is not understood yet (${quote(bare)} is already in the prompt); try "remove the ${bare}", then "add ${withArticle(bare)} ${intent.location}"`,
    };
  }
  const phrase = squash(`${withArticle(intent.thing)} ${intent.location}`);
  return {
    ok: true,
    state: {
      phrases: insertPhrase(state.phrases, phrase),
      negative: listRemove(state.negative, stripDeterminer(intent.thing)),
    },
    explanation: `Added ${quote(phrase)}.`,
  };
}

/** Removes one occurrence of the thing with its adjectives and connector; false if none left. */
function removeOnce(phrases: string[], thing: string): boolean {
  const weighted = new RegExp(
    `\\(\\s*(?:(?:a|an|the)\\s+)?${thingPattern(thing).source}\\s*:\\s*[\\d.]+\\s*\\)`,
    'i',
  );
  for (let index = 0; index < phrases.length; index++) {
    if (weighted.test(phrases[index]!)) {
      phrases[index] = squash(phrases[index]!.replace(weighted, ' '));
      return true;
    }
  }
  const where = findThing(phrases, thing);
  if (!where) return false;
  const phrase = phrases[where.phrase]!;
  const np = nounPhraseStart(phrase, where.start);
  let before = phrase.slice(0, np.start).trimEnd();
  let after = phrase.slice(where.end).trim();
  if (before === '') {
    const firstAfter = after.split(' ')[0]?.toLowerCase() ?? '';
    if (after === '' || (where.phrase > 0 && PREPOSITION_SET.has(firstAfter))) after = '';
    else after = after.replace(/^(?:and|with|or)\s+/i, '');
  } else {
    before = before.replace(/\s*\b(?:and|with|or)$/i, '');
    // "a ball on the grass" without grass: drop the preposition left dangling at the end.
    const lastBefore = before.split(' ').at(-1)?.toLowerCase() ?? '';
    if (
      PREPOSITION_SET.has(lastBefore) &&
      (after === '' || PREPOSITION_SET.has(after.split(' ')[0]!.toLowerCase()))
    ) {
      before = before.slice(0, before.length - lastBefore.length).trimEnd();
    }
  }
  phrases[where.phrase] = squash(`${before} ${after}`);
  return true;
}

function applyRemove(state: EditState, thing: string): EditOutcome {
  const phrases = [...state.phrases];
  let count = 0;
  while (count < 32 && removeOnce(phrases, thing)) count++;
  return {
    ok: true,
    state: {
      phrases: splitPhrases(joinPhrases(phrases)),
      negative: listAdd(state.negative, thing),
    },
    explanation:
      count > 0
        ? `Removed ${quote(thing)} from the prompt and added it to the negative prompt.`
        : `${quote(thing)} was not in the prompt; added it to the negative prompt.`,
  };
}

function formatWeight(weight: number): string {
  return String(Math.round(weight * 100) / 100);
}

function applyEmphasis(
  state: EditState,
  intent: Extract<Intent, { kind: 'emphasis' }>,
): EditOutcome {
  const delta = intent.direction * intent.step;
  const clamp = (weight: number) => Math.min(2, Math.max(0.1, Math.round(weight * 100) / 100));
  const weighted = new RegExp(
    `\\(\\s*(${thingPattern(intent.thing).source})\\s*:\\s*([\\d.]+)\\s*\\)`,
    'i',
  );
  const phrases = [...state.phrases];
  let weight = clamp(1 + delta);
  let found = false;
  for (let index = 0; index < phrases.length && !found; index++) {
    const match = weighted.exec(phrases[index]!);
    if (!match) continue;
    found = true;
    const previous = Number.parseFloat(match[2]!);
    weight = clamp((Number.isFinite(previous) ? previous : 1) + delta);
    const text = weight === 1 ? match[1]! : `(${match[1]}:${formatWeight(weight)})`;
    phrases[index] = spliceText(phrases[index]!, match.index, match.index + match[0].length, text);
  }
  if (!found) {
    const where = findThing(phrases, intent.thing);
    if (where) {
      const phrase = phrases[where.phrase]!;
      const text = `(${phrase.slice(where.start, where.end)}:${formatWeight(weight)})`;
      phrases[where.phrase] = spliceText(phrase, where.start, where.end, text);
    } else phrases.splice(phrases.length, 0, `(${intent.thing}:${formatWeight(weight)})`);
  }
  const verb = intent.direction > 0 ? 'Emphasised' : 'De-emphasised';
  return {
    ok: true,
    state: { ...state, phrases },
    explanation: `${verb} ${quote(intent.thing)} (weight ${formatWeight(weight)}).`,
  };
}

/** Style phrases found in one prompt phrase: the matched texts. */
function styleMatches(phrase: string): string[] {
  const bare = squash(
    phrase
      .toLowerCase()
      .replace(/^(?:in|as)\s+/, '')
      .replace(/\s+style$/, ''),
  );
  const whole = stripDeterminer(bare);
  if (STYLES.some((style) => style.phrase === whole || style.aliases.includes(whole)))
    return [phrase];
  const found: string[] = [];
  for (const style of STYLES) {
    for (const alias of [style.phrase, ...style.aliases]) {
      const distinctive = alias.includes(' ') || alias.includes('-');
      const pattern = distinctive
        ? new RegExp(
            `(?:\\b(?:in|as)\\s+)?(?:\\b(?:an?|the)\\s+)?(?<![\\w-])${escapeRegExp(alias)}(?:\\s+style)?(?![\\w-])`,
            'i',
          )
        : new RegExp(
            `(?:\\b(?:in|as)\\s+)?(?:\\b(?:an?|the)\\s+)?(?<![\\w-])${escapeRegExp(alias)}\\s+(?:style|art)(?![\\w-])|^(?:an?\\s+)?${escapeRegExp(alias)}\\s+of\\s+`,
            'i',
          );
      const match = pattern.exec(phrase);
      if (match) found.push(match[0]);
    }
  }
  return found;
}

function applyStyle(state: EditState, intent: Extract<Intent, { kind: 'style' }>): EditOutcome {
  const removed: string[] = [];
  const phrases = state.phrases.map((phrase) => {
    let text = phrase;
    for (let guard = 0; guard < 8; guard++) {
      const match = styleMatches(text)[0];
      if (!match) break;
      removed.push(squash(match.replace(/\s+of\s*$/i, '')));
      text = squash(text.replace(match, ' '));
    }
    return text;
  });
  const kept = splitPhrases(joinPhrases(phrases));
  return {
    ok: true,
    state: { ...state, phrases: [...kept, intent.style.phrase] },
    explanation: `Switched the style to ${quote(intent.style.phrase)}${removed.length ? ` (was ${removed.map(quote).join(', ')})` : ''}.`,
  };
}

/** Applies one intent to the prompt state. */
export function applyIntent(state: EditState, intent: Intent): EditOutcome {
  switch (intent.kind) {
    case 'attribute':
      return applyAttribute(state, intent);
    case 'replace':
      return applyReplace(state, intent);
    case 'background':
      return applyBackground(state, intent);
    case 'scene':
      return applyScene(state, intent.scene);
    case 'add':
      return applyAdd(state, intent);
    case 'remove':
      return applyRemove(state, intent.thing);
    case 'emphasis':
      return applyEmphasis(state, intent);
    case 'style':
      return applyStyle(state, intent);
  }
}
