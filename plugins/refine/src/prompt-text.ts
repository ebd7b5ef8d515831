import { DETERMINERS, PREPOSITIONS } from './vocabulary.ts';

/**
 * Prompt text helpers. A prompt is a list of comma-separated phrases (A1111 style); commas
 * inside `( … )` weights do not split. Edits work on one phrase and leave the others untouched,
 * which is what keeps "the rest of the prompt" intact.
 */

const DETERMINER_SET = new Set(DETERMINERS);
const PREPOSITION_SET = new Set(PREPOSITIONS);

/** Escapes text for use inside a RegExp. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Collapses whitespace and trims. */
export function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Splits a prompt into trimmed, non-empty phrases at top-level commas. */
export function splitPhrases(prompt: string): string[] {
  const phrases: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of prompt) {
    if (char === '(' || char === '[') depth++;
    else if ((char === ')' || char === ']') && depth > 0) depth--;
    if (char === ',' && depth === 0) {
      phrases.push(current);
      current = '';
    } else current += char;
  }
  phrases.push(current);
  return phrases.map(squash).filter((phrase) => phrase.length > 0);
}

/** Joins phrases back into a prompt, dropping phrases an edit emptied. */
export function joinPhrases(phrases: readonly string[]): string {
  return phrases
    .map((phrase) => squash(phrase.replace(/^[\s,;]+|[\s,;]+$/g, '')))
    .filter((phrase) => phrase.length > 0)
    .join(', ');
}

/** Strips a leading article or possessive ("the ball" → "ball"). */
export function stripDeterminer(text: string): string {
  const words = squash(text).split(' ');
  while (words.length > 1 && DETERMINER_SET.has(words[0]!.toLowerCase())) words.shift();
  return words.join(' ');
}

/** `a` or `an` for the word that follows (by its first letter, with the common exceptions). */
export function indefiniteArticle(word: string): 'a' | 'an' {
  const lower = word.toLowerCase();
  if (/^(uni|use|usu|eu|one|once|ur)/.test(lower)) return 'a';
  if (/^(hour|honest|honou?r|heir)/.test(lower)) return 'an';
  return /^[aeiou]/.test(lower) ? 'an' : 'a';
}

/** Adds `a`/`an` to a bare singular thing unless it already has a determiner or is plural. */
export function withArticle(thing: string): string {
  const text = squash(thing);
  const first = text.split(' ')[0] ?? '';
  if (/^an?$/i.test(first) && text.includes(' ')) return fixArticleAt(text, 0);
  if (DETERMINER_SET.has(first.toLowerCase()) || /^\d/.test(first)) return text;
  const last = text.split(' ').at(-1) ?? '';
  if (/[^s]s$/i.test(last) && last.length > 3) return text;
  return `${indefiniteArticle(first)} ${text}`;
}

/** Where a thing occurs: the phrase index and the character span of the match inside it. */
export interface Occurrence {
  phrase: number;
  start: number;
  end: number;
}

/** A regex matching `thing` as whole words, also in its simple plural or singular form. */
export function thingPattern(thing: string): RegExp {
  const words = squash(thing).split(' ').map(escapeRegExp);
  const last = words.pop() ?? '';
  const base = last.replace(/(?:es|s)$/i, '');
  const tail = base.length >= 3 ? `(?:${last}|${base}(?:s|es)?)` : last;
  return new RegExp(`(?<![\\w-])${[...words, tail].join('\\s+')}(?![\\w-])`, 'i');
}

/** The first occurrence of `thing` (whole words) in the phrases. */
export function findThing(phrases: readonly string[], thing: string): Occurrence | null {
  if (squash(thing).length === 0) return null;
  const pattern = thingPattern(thing);
  for (let index = 0; index < phrases.length; index++) {
    const match = pattern.exec(phrases[index]!);
    if (match) return { phrase: index, start: match.index, end: match.index + match[0].length };
  }
  return null;
}

/** Words of a phrase with their character offsets. */
export function wordsWithOffsets(phrase: string): { word: string; start: number; end: number }[] {
  return [...phrase.matchAll(/[^\s]+/g)].map((match) => ({
    word: match[0],
    start: match.index,
    end: match.index + match[0].length,
  }));
}

/**
 * The noun phrase that ends at an occurrence: walks left over adjectives until a determiner
 * (included), a preposition, a weight bracket or the phrase start. Returns its start offset and
 * whether a determiner opens it.
 */
export function nounPhraseStart(
  phrase: string,
  start: number,
): { start: number; determiner: { start: number; end: number; word: string } | null } {
  const words = wordsWithOffsets(phrase).filter((word) => word.end <= start);
  let begin = start;
  for (let index = words.length - 1; index >= 0; index--) {
    const entry = words[index]!;
    const lower = entry.word.toLowerCase();
    if (DETERMINER_SET.has(lower)) return { start: entry.start, determiner: entry };
    if (PREPOSITION_SET.has(lower) || /[()[\]:]/.test(entry.word)) break;
    begin = entry.start;
  }
  return { start: begin, determiner: null };
}

/** Replaces `phrase[start, end)` with `text`, keeping single spaces around it. */
export function spliceText(phrase: string, start: number, end: number, text: string): string {
  return squash(`${phrase.slice(0, start)} ${text} ${phrase.slice(end)}`);
}

/** Fixes `a`/`an` before the word that follows a determiner at `at` (after an edit). */
export function fixArticleAt(phrase: string, at: number): string {
  const match = /^(a|an)(\s+)(\S+)/i.exec(phrase.slice(at));
  if (!match) return phrase;
  const wanted = indefiniteArticle(match[3]!);
  const written = match[1]!;
  const cased = written[0] === written[0]!.toUpperCase() ? wanted.replace(/^a/, 'A') : wanted;
  return phrase.slice(0, at) + cased + phrase.slice(at + written.length);
}

/** Case-insensitive membership of a phrase in a comma list ("dog" in "blurry, dogs"). */
export function listHas(list: string, thing: string): boolean {
  return findThing(splitPhrases(list), thing) !== null;
}

/** Adds `thing` to a comma list unless it is already there. */
export function listAdd(list: string, thing: string): string {
  if (listHas(list, thing)) return joinPhrases(splitPhrases(list));
  return joinPhrases([...splitPhrases(list), thing]);
}

/** Removes every list entry that is `thing` (ignoring articles, singular/plural). */
export function listRemove(list: string, thing: string): string {
  const pattern = thingPattern(stripDeterminer(thing));
  return joinPhrases(
    splitPhrases(list).filter((entry) => {
      const match = pattern.exec(entry);
      return !(match && squash(stripDeterminer(entry)).length === match[0].length);
    }),
  );
}
