import { bytesToUnicode } from '../tokenizer/clip-tokenizer.ts';

/** Words the tiny vocabulary learns merges for, so common prompts tokenize to whole words. */
const TINY_WORDS = [
  'a',
  'an',
  'the',
  'of',
  'in',
  'on',
  'with',
  'and',
  'photo',
  'painting',
  'portrait',
  'cat',
  'dog',
  'red',
  'blue',
  'green',
  'yellow',
  'landscape',
  'mountain',
  'river',
  'sky',
  'sunset',
  'forest',
  'city',
  'night',
  'beautiful',
  'astronaut',
  'horse',
  'castle',
  'ocean',
  'flower',
  'tree',
  'house',
  'blurry',
  'ugly',
  'bad',
  'quality',
  'detailed',
  'lowres',
];

/** The files of a Hugging Face `tokenizer/` folder for the tiny models. */
export interface TinyTokenizerFiles {
  'vocab.json': string;
  'merges.txt': string;
  'special_tokens_map.json': string;
  'tokenizer_config.json': string;
}

/**
 * Builds a small CLIP-layout vocabulary: ids 0–255 are the byte symbols and 256–511 the same with
 * `</w>`, in the real CLIP vocab's order (so `!` is id 0), then one merge chain per word of
 * {@link TINY_WORDS}, and the special tokens at CLIP's real ids 49406/49407.
 *
 * @param padToken `<|endoftext|>` (SD 1.x) or `!` (SD 2.x / Turbo)
 */
export function tinyTokenizerFiles(padToken: '<|endoftext|>' | '!'): TinyTokenizerFiles {
  // CLIP orders byte symbols as bytes_to_unicode builds them: printable bytes first (so '!' is
  // id 0, the SD 2.x pad id), then the remapped control/space bytes.
  const table = bytesToUnicode();
  const symbols = [
    ...table.filter((symbol) => symbol.codePointAt(0)! < 256),
    ...table.filter((symbol) => symbol.codePointAt(0)! >= 256),
  ];
  const vocab = new Map<string, number>();
  for (const symbol of symbols) vocab.set(symbol, vocab.size);
  for (const symbol of symbols) vocab.set(`${symbol}</w>`, vocab.size);
  const merges: string[] = [];
  for (const word of TINY_WORDS) {
    const pieces = Array.from(word);
    pieces[pieces.length - 1] += '</w>';
    let current = pieces[0]!;
    for (const piece of pieces.slice(1)) {
      const merge = `${current} ${piece}`;
      current += piece;
      if (!merges.includes(merge)) merges.push(merge);
      if (!vocab.has(current)) vocab.set(current, vocab.size);
    }
  }
  vocab.set('<|startoftext|>', 49406);
  vocab.set('<|endoftext|>', 49407);
  const special = {
    bos_token: '<|startoftext|>',
    eos_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    pad_token: padToken,
  };
  return {
    'vocab.json': JSON.stringify(Object.fromEntries(vocab)),
    'merges.txt': `#version: 0.2\n${merges.join('\n')}\n`,
    'special_tokens_map.json': JSON.stringify(special, null, 2),
    'tokenizer_config.json': JSON.stringify(
      { ...special, model_max_length: 77, do_lower_case: true, tokenizer_class: 'CLIPTokenizer' },
      null,
      2,
    ),
  };
}
