import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { bytesToUnicode, ClipTokenizer } from '../src/tokenizer/clip-tokenizer.ts';

/**
 * Toy vocabulary and expected ids from the public CLIP tokenizer test suite of Hugging Face
 * transformers, `tests/models/clip/test_tokenization_clip.py` (`setUp` and `test_full_tokenizer`):
 * "lower newer" → ["lo", "w", "er</w>", "n", "e", "w", "er</w>"] → [10, 2, 16, 9, 3, 2, 16], unk 20.
 */
const TOY_VOCAB = [
  'l',
  'o',
  'w',
  'e',
  'r',
  's',
  't',
  'i',
  'd',
  'n',
  'lo',
  'l</w>',
  'w</w>',
  'r</w>',
  't</w>',
  'low</w>',
  'er</w>',
  'lowest</w>',
  'newer</w>',
  'wider',
  '<unk>',
  '<|startoftext|>',
  '<|endoftext|>',
];
const TOY_MERGES = ['l o', 'lo w</w>', 'e r</w>'];

function toyTokenizer(maxLength = 77): ClipTokenizer {
  return new ClipTokenizer(new Map(TOY_VOCAB.map((token, id) => [token, id])), TOY_MERGES, {
    unkToken: '<unk>',
    maxLength,
  });
}

describe('CLIP tokenizer (transformers toy vocab)', () => {
  test('tokenize and ids match the published expectations', () => {
    const tokenizer = toyTokenizer();
    expect(tokenizer.tokenize('lower newer')).toEqual([
      'lo',
      'w',
      'er</w>',
      'n',
      'e',
      'w',
      'er</w>',
    ]);
    expect(tokenizer.tokenIds('lower newer')).toEqual([10, 2, 16, 9, 3, 2, 16]);
    expect(tokenizer.tokenIds('lower newer x')).toEqual([10, 2, 16, 9, 3, 2, 16, 20]);
  });

  test('normalisation: case, whitespace, NFC', () => {
    const tokenizer = toyTokenizer();
    expect(tokenizer.tokenIds('  LOWER \n\t newer ')).toEqual(tokenizer.tokenIds('lower newer'));
    expect(ClipTokenizer.normalize('Cafe\u0301  X')).toBe('caf\u00e9 x');
    expect(ClipTokenizer.normalize('a\u0000b\u200bc\td')).toBe('abc d');
    expect(ClipTokenizer.normalize('猫と犬')).toBe('猫 と 犬');
  });

  test('encode pads with bos/eos/pad and truncates to the max length', () => {
    const tokenizer = toyTokenizer(8);
    expect(tokenizer.encode('low')).toEqual([21, 15, 22, 22, 22, 22, 22, 22]);
    const long = tokenizer.encode('lower '.repeat(20));
    expect(long).toHaveLength(8);
    expect(long[0]).toBe(21);
    expect(long[7]).toBe(22);
  });

  test('pad id comes from the configured pad token (SD 2.x uses "!")', () => {
    const vocab = new Map(TOY_VOCAB.map((token, id) => [token, id]));
    vocab.set('!', 0);
    const tokenizer = new ClipTokenizer(vocab, TOY_MERGES, { padToken: '!', maxLength: 6 });
    expect(tokenizer.encode('low')).toEqual([21, 15, 22, 0, 0, 0]);
    expect(() => new ClipTokenizer(vocab, TOY_MERGES, { padToken: '<pad>' })).toThrow(
      /pad token '<pad>'/,
    );
  });

  test('byte-to-unicode table is a bijection onto non-space characters', () => {
    const table = bytesToUnicode();
    expect(new Set(table).size).toBe(256);
    expect(table[0x41]).toBe('A');
    expect(table[0x20]).toBe('\u0120');
    for (const character of table) expect(/\s/.test(character)).toBe(false);
  });

  test('property: any text encodes to exactly maxLength ids framed by bos/eos', () => {
    const tokenizer = toyTokenizer(16);
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const ids = tokenizer.encode(text);
        expect(ids).toHaveLength(16);
        expect(ids[0]).toBe(21);
        expect(ids).toContain(22);
        for (const id of ids) expect(id).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 200 },
    );
  });
});
