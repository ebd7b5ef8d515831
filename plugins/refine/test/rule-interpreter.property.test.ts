import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { splitPhrases, withArticle } from '../src/prompt-text.ts';
import { interpretWithRules } from '../src/rule-interpreter.ts';
import {
  ACTION_STRENGTH,
  ATTRIBUTES,
  COMPARATIVES,
  DETERMINERS,
  FRAMING,
  PREPOSITIONS,
  SCENES,
  STYLES,
} from '../src/vocabulary.ts';

/** Every word the rules treat specially: random "rest of the prompt" words avoid them. */
const RESERVED = new Set(
  [
    ...Object.values(ATTRIBUTES).flat(),
    ...Object.keys(COMPARATIVES),
    ...DETERMINERS,
    ...PREPOSITIONS,
    ...FRAMING,
    ...SCENES.flatMap((scene) => [scene.phrase, ...scene.aliases]),
    ...STYLES.flatMap((style) => [style.phrase, ...style.aliases]),
    'background',
    'style',
    'art',
    'ball',
    'bird',
    'sky',
    'more',
    'less',
    'fewer',
    'it',
    'no',
  ].flatMap((entry) => entry.split(/[\s-]+/)),
);

const word = fc
  .stringMatching(/^[a-z]{3,9}$/)
  .filter((candidate) => !RESERVED.has(candidate) && !/(?:es|s)$/.test(candidate));
const phrase = fc.array(word, { minLength: 1, maxLength: 4 }).map((words) => words.join(' '));
const phrases = fc.uniqueArray(phrase, { minLength: 1, maxLength: 5 });

/** Modifications that touch only "the ball", "the bird", the scene or the style. */
const targetedEdit = fc.constantFrom(
  'make the ball red',
  'make the ball bigger',
  'change the ball into a cube',
  'make it night',
  'make it rainy',
  'make it winter',
  'add a bird in the sky',
  'remove the ball',
  'without the ball',
  'more ball',
  'less ball',
  'make it a watercolor',
  'in anime style',
  'as a pencil sketch',
);

describe('rule interpreter properties', () => {
  test('never throws on any text, and every answer is well formed', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.string({ maxLength: 200 }),
        fc.string({ maxLength: 60 }),
        (prompt, modification, negative) => {
          const outcome = interpretWithRules(prompt, modification, negative);
          if (!outcome.ok) {
            expect(outcome.message.length).toBeGreaterThan(0);
            return;
          }
          const { interpretation } = outcome;
          expect(typeof interpretation.prompt).toBe('string');
          expect(typeof interpretation.negative_prompt).toBe('string');
          expect(interpretation.strength).toBeGreaterThan(0);
          expect(interpretation.strength).toBeLessThanOrEqual(1);
          expect([...Object.keys(ACTION_STRENGTH), 'multiple']).toContain(interpretation.action);
          expect(interpretation.explanation).not.toContain('\n');
        },
      ),
      { numRuns: 400 },
    );
  });

  test('never throws on text made of the words the rules look for', () => {
    const vocabulary = fc.constantFrom(
      'make',
      'the',
      'it',
      'a',
      'add',
      'remove',
      'no',
      'without',
      'more',
      'less',
      'change',
      'to',
      'into',
      'with',
      'and',
      'red',
      'night',
      'watercolor',
      'style',
      'in',
      'sky',
      'ball',
      '(',
      ')',
      ':1.2',
      ',',
      'of',
      'background',
      'bigger',
      'him',
    );
    const sentence = fc.array(vocabulary, { maxLength: 9 }).map((words) => words.join(' '));
    fc.assert(
      fc.property(sentence, sentence, (prompt, modification) => {
        const outcome = interpretWithRules(prompt, modification);
        expect(typeof outcome.ok).toBe('boolean');
      }),
      { numRuns: 600 },
    );
  });

  test('the rest of the prompt survives an edit aimed elsewhere', () => {
    fc.assert(
      fc.property(phrases, targetedEdit, fc.nat(5), (rest, modification, at) => {
        const all = [...rest];
        all.splice(at % (all.length + 1), 0, 'a blue ball');
        const outcome = interpretWithRules(`${all.join(', ')}, oil painting`, modification);
        if (!outcome.ok) throw new Error(outcome.message);
        const after = splitPhrases(outcome.interpretation.prompt);
        for (const kept of rest) expect(after).toContain(kept);
      }),
      { numRuns: 300 },
    );
  });

  test('removing a thing and adding it back restores it (and clears the negative prompt)', () => {
    const thing = word;
    fc.assert(
      fc.property(phrases, thing, (rest, name) => {
        fc.pre(!rest.some((entry) => entry.split(' ').includes(name)));
        const prompt = [...rest, withArticle(name)].join(', ');
        const removed = interpretWithRules(prompt, `remove the ${name}`);
        if (!removed.ok) throw new Error(removed.message);
        expect(removed.interpretation.prompt.split(/[\s,]+/)).not.toContain(name);
        expect(removed.interpretation.negative_prompt).toBe(name);
        const added = interpretWithRules(
          removed.interpretation.prompt,
          `add a ${name}`,
          removed.interpretation.negative_prompt,
        );
        if (!added.ok) throw new Error(added.message);
        expect(added.interpretation.prompt).toBe(prompt);
        expect(added.interpretation.negative_prompt).toBe('');
      }),
      { numRuns: 300 },
    );
  });
});
