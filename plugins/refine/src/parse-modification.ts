import { squash, stripDeterminer } from './prompt-text.ts';
import {
  ATTRIBUTES,
  type AttributeKind,
  COMPARATIVES,
  SCENES,
  type SceneEntry,
  STYLES,
  type StyleEntry,
  WHOLE_PICTURE,
} from './vocabulary.ts';

/** What a modification asks for, before it is applied to a prompt. */
export type Intent =
  | { kind: 'attribute'; target: string | null; word: string; attribute: AttributeKind | null }
  | { kind: 'replace'; target: string | null; replacement: string }
  | { kind: 'background'; replacement: string }
  | { kind: 'scene'; scene: SceneEntry }
  | { kind: 'add'; thing: string; location: string; placing: boolean }
  | { kind: 'remove'; thing: string }
  | { kind: 'emphasis'; thing: string; direction: 1 | -1; step: number }
  | { kind: 'style'; style: StyleEntry };

const WHOLE = new Set(WHOLE_PICTURE);
/** Pronouns for the main subject ("make him younger"). */
const PRONOUNS = new Set([
  'him',
  'her',
  'them',
  'he',
  'she',
  'they',
  'the subject',
  'the main subject',
]);
const ADJECTIVE_SUFFIX = /(?:y|ful|ous|ic|ish|ed|less|ive|al|en|ing)$/;
const ADD_LOCATION =
  /^(.+?)\s+((?:in|on|at|under|over|above|below|behind|beside|near|next to|to|into|onto|inside|around|across|flying|floating|sitting|standing|holding|wearing)\s+.+)$/i;

/** Which kind an attribute word is, or null when it is not in the vocabulary. */
export function attributeKind(word: string): AttributeKind | null {
  const lower = word.toLowerCase();
  for (const [kind, words] of Object.entries(ATTRIBUTES) as [AttributeKind, readonly string[]][]) {
    if (words.includes(lower)) return kind;
  }
  return null;
}

/** Resolves an attribute as typed ("bigger", "red", "bright red") or null if it is not one. */
function resolveAttribute(text: string): { word: string; attribute: AttributeKind | null } | null {
  const words = squash(text).toLowerCase().split(' ');
  if (words.length === 0 || words.length > 2) return null;
  const head = words.at(-1)!;
  const base = COMPARATIVES[head] ?? head;
  const kind = attributeKind(base);
  if (words.length === 2) {
    const first = words[0]!;
    if (kind && (attributeKind(first) || /ly$/.test(first)))
      return { word: `${first} ${base}`, attribute: kind };
    return null;
  }
  if (kind) return { word: base, attribute: kind };
  // An adjective outside the vocabulary still reads as one when it looks like one ("sparkly").
  if (base.length > 3 && ADJECTIVE_SUFFIX.test(base) && !WHOLE.has(base)) {
    return { word: base, attribute: null };
  }
  return null;
}

/** The whole picture ("it", "the image") or a thing in it. */
function targetOf(text: string): string | null {
  const lower = squash(text).toLowerCase();
  return WHOLE.has(lower) || PRONOUNS.has(lower) ? null : stripDeterminer(squash(text));
}

function lookupStyle(text: string): StyleEntry | null {
  let name = squash(text)
    .toLowerCase()
    .replace(/^(?:in\s+)?(?:the\s+)?style\s+of\s+/, '')
    .replace(/^(?:an?|the)\s+/, '')
    .replace(/\s+(?:style|styled|version|look|aesthetic|art style|rendering)$/, '');
  if (name.length === 0) return null;
  name = name.replace(/^(?:an?|the)\s+/, '');
  return STYLES.find((style) => style.aliases.includes(name) || style.phrase === name) ?? null;
}

function lookupScene(text: string): SceneEntry | null {
  const name = squash(text)
    .toLowerCase()
    .replace(/^(?:at|in|during|on|into|to)\s+/, '')
    .replace(/^(?:the|a|an)\s+/, '')
    .replace(/\s+(?:time|weather|season|outside|day)$/, '');
  return SCENES.find((scene) => scene.aliases.includes(name)) ?? null;
}

const WHOLE_LEAD =
  /^(?:make|set|turn|change|convert|render|redo|do|switch|transform)\s+(?:it|this|that|everything|the (?:image|picture|scene|photo|painting|style|weather|time|season|whole (?:thing|picture|image)))\s+(?:(?:to|into|as|in|at|during)\s+)?/i;
const BARE_LEAD = /^(?:switch(?:\s+the\s+style)?\s+to|now(?:\s+in|\s+as)?|as|in|it should be)\s+/i;

/** Style or scene switches, with or without a lead ("make it", "as", "in"). */
function parseWholePicture(text: string): Intent | null {
  const rest = text.replace(WHOLE_LEAD, '').replace(BARE_LEAD, '');
  const style = lookupStyle(rest) ?? (rest !== text ? null : lookupStyle(text));
  if (style) return { kind: 'style', style };
  const scene = lookupScene(rest);
  if (scene) return { kind: 'scene', scene };
  return null;
}

function parseRemove(text: string): Intent | null {
  const match =
    /^(?:remove|delete|erase|get rid of|take out|take away|drop|lose|hide)\s+(.+?)(?:\s+from\s+.+)?$/i.exec(
      text,
    ) ??
    /^(?:without|minus)\s+(.+)$/i.exec(text) ??
    /^(?:no|no more|not any|there should be no|i want no)\s+(.+)$/i.exec(text);
  if (!match) return null;
  const thing = stripDeterminer(match[1]!);
  return thing.length > 0 && !WHOLE.has(thing.toLowerCase()) ? { kind: 'remove', thing } : null;
}

function parseEmphasis(text: string): Intent | null {
  const match =
    /^(?:make\s+(?:it|this|the image|the picture)\s+)?(?:(a\s+(?:bit|little)|slightly|much|way|even|a\s+lot|far)\s+)?(more|less|fewer)\s+(.+)$/i.exec(
      text,
    );
  if (!match) return null;
  const thing = stripDeterminer(match[3]!);
  if (thing.length === 0 || /^(?:like|of)\b/i.test(thing)) return null;
  const size = match[1]?.toLowerCase() ?? '';
  const step = /bit|little|slightly/.test(size) ? 0.1 : /much|way|lot|far/.test(size) ? 0.3 : 0.2;
  return { kind: 'emphasis', thing, direction: match[2]!.toLowerCase() === 'more' ? 1 : -1, step };
}

function parseAdd(text: string): Intent | null {
  const match =
    /^(add|put|include|insert|place|draw|paint in|give\s+(?:it|him|her|them))\s+(.+)$/i.exec(
      text,
    ) ?? /^(with|plus|and)\s+(.+)$/i.exec(text);
  if (!match) return null;
  const body = squash(match[2]!);
  const split = ADD_LOCATION.exec(body);
  const thing = squash(split ? split[1]! : body);
  const location = split ? squash(split[2]!.replace(/^to\s+/i, 'on ')) : '';
  // "put/place X somewhere" says where X goes: for an X already in the picture that is a move.
  const placing = /^(?:put|place)$/i.test(match[1]!) && location.length > 0;
  return thing.length > 0 ? { kind: 'add', thing, location, placing } : null;
}

/** "make/paint/turn X Y" and "make X a Y": attribute changes and replacements by "make". */
function parseMake(text: string): Intent | null {
  const match = /^(?:make|paint|colou?r|turn|dye|render)\s+(.+)$/i.exec(text);
  if (!match) return null;
  const body = squash(match[1]!).replace(/\s+(?:look|appear|seem|become|be)\s+/i, ' ');
  const asThing = /^(.+?)\s+(?:into\s+)?((?:an?|some)\s+.+)$/i.exec(body);
  if (asThing && !resolveAttribute(asThing[2]!.replace(/^(?:an?|some)\s+/i, ''))) {
    const target = targetOf(asThing[1]!);
    if (target && /^background$/i.test(target))
      return { kind: 'background', replacement: asThing[2]! };
    return { kind: 'replace', target, replacement: asThing[2]! };
  }
  const words = body.split(' ');
  for (const take of [2, 1]) {
    if (words.length <= take) continue;
    const attribute = resolveAttribute(words.slice(-take).join(' '));
    if (!attribute) continue;
    return { kind: 'attribute', target: targetOf(words.slice(0, -take).join(' ')), ...attribute };
  }
  return null;
}

function parseReplace(text: string): Intent | null {
  const match =
    /^(?:change|turn|replace|swap|switch|transform|convert|exchange)\s+(.+?)\s+(?:to|into|with|for|by)\s+(.+)$/i.exec(
      text,
    ) ?? /^(?:instead of|not)\s+(.+?),?\s+(?:use|make it|have|draw|show|but)\s+(.+)$/i.exec(text);
  if (!match) return null;
  const target = targetOf(match[1]!);
  const replacement = squash(match[2]!);
  const attribute = resolveAttribute(replacement.replace(/^(?:be\s+)?/i, ''));
  if (attribute) return { kind: 'attribute', target, ...attribute };
  if (target && /^background$/i.test(target)) return { kind: 'background', replacement };
  return { kind: 'replace', target, replacement };
}

/** Phrasings rewritten to the forms the parsers read ("the ball should be red" → "make …"). */
const REWRITES: [RegExp, string][] = [
  [/^(?:i want|i'd like|i would like|let|have)\s+(.+?)\s+to\s+be\s+(.+)$/i, 'make $1 $2'],
  [/^(.+?)\s+(?:should|must|needs? to)\s+be\s+(.+)$/i, 'make $1 $2'],
  [
    /^(?:change|make|set|turn)\s+the\s+(?:colou?r|size|material|mood)\s+of\s+(.+?)\s+(?:to|into)\s+(.+)$/i,
    'make $1 $2',
  ],
  [/^(?:change|make|set|turn)\s+the\s+(?:colou?r|size|material|mood)\s+of\s+(.+)$/i, 'make $1'],
  [/^take\s+(.+?)\s+(?:off|away|out)$/i, 'remove $1'],
  [/^add\s+(more|less|fewer)\s+(.+)$/i, '$1 $2'],
  [
    /^(?:make|turn)\s+(it|this|the image|the picture)\s+(?:look|feel|seem)\s+(?:like\s+)?(.+)$/i,
    'make $1 $2',
  ],
];

/** Politeness and filler that carry no meaning for the edit. */
function normalise(modification: string): string {
  let text = squash(modification)
    .replace(/[.!?]+$/, '')
    .replace(/\s+instead\s+of\s+.+$/i, '');
  for (;;) {
    const next = text
      .replace(/^(?:please|pls|can you|could you|would you|now|then|ok|okay|hmm|also|and)\s+/i, '')
      .replace(/\s+(?:please|instead|too|as well|now|a bit|a little)$/i, '');
    if (next === text) break;
    text = next;
  }
  for (const [pattern, replacement] of REWRITES) {
    if (pattern.test(text)) return text.replace(pattern, replacement);
  }
  return text;
}

/**
 * Reads one modification into an intent, or null when no rule matches. Order matters: removal
 * and emphasis words are unambiguous, whole-picture style/scene words beat attributes ("make it
 * stormy" is weather, "make the sea stormy" is the sea), and "change X to Y" comes last.
 */
export function parseModification(modification: string): Intent | null {
  const text = normalise(modification);
  if (text.length === 0) return null;
  return (
    parseRemove(text) ??
    parseEmphasis(text) ??
    parseAdd(text) ??
    parseWholePicture(text) ??
    parseReplace(text) ??
    parseMake(text)
  );
}
