import { describe, expect, test } from 'bun:test';
import {
  interpretWithRules,
  MAX_MODIFICATION_LENGTH,
  MAX_PROMPT_LENGTH,
} from '../src/rule-interpreter.ts';

const BASE = 'a blue ball on the grass, sunny day, oil painting';

/** Interprets and fails the test with the rules' message when they refuse. */
function ok(prompt: string, modification: string, negative = '') {
  const outcome = interpretWithRules(prompt, modification, negative);
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.interpretation;
}

function refused(prompt: string, modification: string): string {
  const outcome = interpretWithRules(prompt, modification);
  if (outcome.ok)
    throw new Error(`expected a refusal, got ${JSON.stringify(outcome.interpretation)}`);
  return outcome.message;
}

describe('attribute changes', () => {
  test('"make the X Y" replaces a colour of the same kind and keeps the rest', () => {
    const result = ok(BASE, 'make the ball red');
    expect(result.prompt).toBe('a red ball on the grass, sunny day, oil painting');
    expect(result.action).toBe('attribute');
    expect(result.explanation).toBe('Made the ball red (was blue).');
  });

  test('size, material, age, mood and state', () => {
    expect(ok(BASE, 'make the ball huge').prompt).toStartWith('a huge blue ball');
    expect(ok('a small wooden chair', 'make the chair metal').prompt).toBe('a small metal chair');
    expect(ok('an old man reading', 'make the man young').prompt).toBe('a young man reading');
    expect(ok('a sad clown', 'make the clown happy').prompt).toBe('a happy clown');
    expect(ok('a calm sea at sunset, a boat', 'make the sea stormy').prompt).toBe(
      'a stormy sea at sunset, a boat',
    );
  });

  test('comparatives and "make it Y" apply to the main subject, after framing words', () => {
    expect(ok('a small red ball on the grass', 'make it bigger').prompt).toBe(
      'a big red ball on the grass',
    );
    expect(ok('a portrait of an old man, studio lighting', 'make him younger').prompt).toBe(
      'a portrait of a young man, studio lighting',
    );
  });

  test('"turn the X to Y" and "change the X to Y" with an attribute are attribute changes', () => {
    expect(ok(BASE, 'turn the ball to gold').prompt).toStartWith('a gold ball');
    expect(ok(BASE, 'change the ball to bright red').prompt).toStartWith('a bright red ball');
  });

  test('politeness and trailing punctuation are ignored', () => {
    expect(ok(BASE, 'Please make the ball red!').prompt).toStartWith('a red ball');
  });

  test('a thing that is not in the prompt is refused with a suggestion', () => {
    expect(refused(BASE, 'make the dog red')).toContain('"dog" is not in the prompt');
    expect(refused(BASE, 'make the dog red')).toContain('add a dog');
  });
});

describe('replace', () => {
  test('change/turn/replace keep the adjectives and fix the article', () => {
    expect(ok(BASE, 'change the ball into a cube').prompt).toStartWith('a blue cube on the grass');
    expect(ok('a red ball', 'replace the ball with an apple').prompt).toBe('a red apple');
    expect(ok('a dog in a park', 'turn the dog into an owl').prompt).toBe('an owl in a park');
    expect(ok('a dog in a park', 'swap the dog for a cat').action).toBe('replace');
  });

  test('"make it a Z" replaces the main subject; the background has its own form', () => {
    expect(ok('a dog in a park', 'make it a cat').prompt).toBe('a cat in a park');
    const beach = ok('a dog, city background', 'change the background to a beach');
    expect(beach.prompt).toBe('a dog, a beach in the background');
  });
});

describe('whole-scene changes', () => {
  test('time of day replaces conflicting time and sunshine words', () => {
    const result = ok('a castle at sunset, bright sunshine, oil painting', 'make it night');
    expect(result.prompt).toBe('a castle, at night, oil painting');
    expect(result.action).toBe('scene');
    expect(result.explanation).toContain('at sunset');
  });

  test('weather and season replace words of their own group only', () => {
    expect(ok('a street, foggy, at night', 'make it rainy').prompt).toBe(
      'a street, at night, rainy weather',
    );
    expect(ok('a forest in summer', 'make it winter').prompt).toBe('a forest, in winter');
    expect(ok('a forest', 'in autumn').prompt).toBe('a forest, in autumn');
    expect(ok('a harbour', 'make it stormy').prompt).toBe('a harbour, stormy weather');
  });
});

describe('add and remove', () => {
  test('"add X" and "add X in the sky" append a phrase before the style', () => {
    expect(ok(BASE, 'add a bird in the sky').prompt).toBe(
      'a blue ball on the grass, sunny day, a bird in the sky, oil painting',
    );
    expect(ok('a field', 'add clouds').prompt).toBe('a field, clouds');
    expect(ok('a field', 'add owl').prompt).toBe('a field, an owl');
    expect(ok('a field', 'put a hat on the scarecrow').prompt).toBe(
      'a field, a hat on the scarecrow',
    );
    expect(refused('a cat, a dog', 'put the cat behind the dog')).toContain(
      'moving things is not understood yet',
    );
  });

  test('remove/without/no move the thing into the negative prompt', () => {
    const removed = ok('a dog wearing a hat, in a park', 'remove the hat', 'blurry');
    expect(removed.prompt).toBe('a dog wearing, in a park'.replace(' wearing', ''));
    expect(removed.negative_prompt).toBe('blurry, hat');
    expect(ok(BASE, 'without grass').prompt).toBe('a blue ball, sunny day, oil painting');
    const none = ok(BASE, 'no people');
    expect(none.prompt).toBe(BASE);
    expect(none.negative_prompt).toBe('people');
    expect(none.explanation).toContain('was not in the prompt');
  });

  test('removing a weighted thing drops its weight group', () => {
    expect(ok('a lake, (fog:1.4), dawn', 'remove the fog').prompt).toBe('a lake, dawn');
  });

  test('adding a removed thing takes it out of the negative prompt', () => {
    const removed = ok('a castle, a bird in the sky', 'remove the bird');
    expect(removed.prompt).toBe('a castle');
    const added = ok(removed.prompt, 'add a bird', removed.negative_prompt);
    expect(added.prompt).toBe('a castle, a bird');
    expect(added.negative_prompt).toBe('');
  });
});

describe('emphasis', () => {
  test('more/less wrap the thing in A1111 weights and adjust existing ones', () => {
    expect(ok('a lake, fog', 'more fog').prompt).toBe('a lake, (fog:1.2)');
    expect(ok('a lake, (fog:1.2)', 'more fog').prompt).toBe('a lake, (fog:1.4)');
    expect(ok('a lake, (fog:1.2)', 'less fog').prompt).toBe('a lake, fog');
    expect(ok('a lake', 'much more fog').prompt).toBe('a lake, (fog:1.3)');
    expect(ok('a lake, fog', 'a bit less fog').prompt).toBe('a lake, (fog:0.9)');
    expect(ok('a lake', 'more fog').action).toBe('emphasis');
  });
});

describe('style switches', () => {
  test('replace the existing style phrase from the vocabulary', () => {
    const watercolor = ok(BASE, 'make it a watercolor');
    expect(watercolor.prompt).toBe('a blue ball on the grass, sunny day, watercolor painting');
    expect(watercolor.explanation).toBe(
      'Switched the style to "watercolor painting" (was "oil painting").',
    );
    expect(ok(BASE, 'in anime style').prompt).toEndWith('sunny day, anime style');
    expect(ok(BASE, 'as a pencil sketch').prompt).toEndWith('sunny day, pencil sketch');
    expect(ok('a photo of a cat on a sofa', 'make it a watercolor').prompt).toBe(
      'a cat on a sofa, watercolor painting',
    );
  });
});

describe('other phrasings of the same forms', () => {
  test('"should be", "I want X to be Y", "the colour of X", "instead of"', () => {
    for (const phrasing of [
      'the ball should be red',
      'I want the ball to be red',
      'change the color of the ball to red',
      'make the ball red instead of blue',
      'can you make the ball red?',
    ]) {
      expect(ok(BASE, phrasing).prompt).toBe('a red ball on the grass, sunny day, oil painting');
    }
  });

  test('"take X away", "add more X", "make it look like …"', () => {
    expect(ok('a dog wearing a hat', 'take the hat off').negative_prompt).toBe('hat');
    expect(ok('a lake, fog', 'add more fog').prompt).toBe('a lake, (fog:1.2)');
    expect(ok('a lake', 'make it look like winter').prompt).toBe('a lake, in winter');
    expect(ok(BASE, 'make it look like a watercolor').action).toBe('style');
  });

  test('scene parts the prompt does not mention are described, other things are refused', () => {
    const sky = ok(BASE, 'make the sky orange');
    expect(sky.prompt).toBe('a blue ball on the grass, sunny day, orange sky, oil painting');
    expect(sky.explanation).toContain('did not mention the sky');
    expect(refused(BASE, 'make the cat orange')).toContain('"cat" is not in the prompt');
  });

  test('tone goes before colour', () => {
    expect(ok('a blue ball', 'make it brighter').prompt).toBe('a bright blue ball');
  });
});

describe('strength, combinations and refusals', () => {
  test('small edits suggest less strength than style changes', () => {
    const attribute = ok(BASE, 'make the ball red').strength;
    const add = ok(BASE, 'add a bird').strength;
    const scene = ok(BASE, 'make it night').strength;
    const style = ok(BASE, 'make it a watercolor').strength;
    expect(attribute).toBeLessThan(add);
    expect(add).toBeLessThan(scene);
    expect(scene).toBeLessThan(style);
  });

  test('"X and Y" applies both when each part is understood', () => {
    const result = ok(BASE, 'make the ball red and add a bird');
    expect(result.prompt).toBe('a red ball on the grass, sunny day, a bird, oil painting');
    expect(result.action).toBe('multiple');
    expect(result.strength).toBe(0.55);
  });

  test('unknown, empty and huge modifications are refused naming forms that work', () => {
    const message = refused(BASE, 'dance a jig');
    expect(message).toContain('did not understand "dance a jig"');
    expect(message).toContain('"make the ball red"');
    expect(refused(BASE, '   ')).toContain('empty');
    expect(refused(BASE, 'x'.repeat(MAX_MODIFICATION_LENGTH + 1))).toContain('limit');
    expect(refused('', 'make it bigger')).toContain('empty');
    expect(refused('a '.repeat(MAX_PROMPT_LENGTH), 'make it night')).toContain('the limit is');
  });
});
