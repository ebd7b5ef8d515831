import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** CLIP's fixed special ids: every SD export uses the original CLIP vocabulary layout. */
export const CLIP_BOS_ID = 49406;
export const CLIP_EOS_ID = 49407;
const BOS_TOKEN = '<|startoftext|>';
const EOS_TOKEN = '<|endoftext|>';

/**
 * CLIP's pre-tokenisation pattern (case-insensitive): special tokens, English contractions,
 * letter runs, single digits, and runs of other non-space symbols.
 */
const CLIP_PATTERN =
  /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/giu;

/** CJK ideograph blocks BERT-style basic tokenizers surround with spaces. */
const CJK_IDEOGRAPH =
  /[\u{4E00}-\u{9FFF}\u{3400}-\u{4DBF}\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B820}-\u{2CEAF}\u{F900}-\u{FAFF}\u{2F800}-\u{2FA1F}]/gu;

/** Options read from `tokenizer_config.json` / `special_tokens_map.json`. */
export interface ClipTokenizerOptions {
  /** Token used for padding (`<|endoftext|>` for SD 1.x, `!` for SD 2.x). */
  padToken?: string;
  unkToken?: string;
  /** Sequence length including bos/eos (77 for every SD text encoder). */
  maxLength?: number;
}

/**
 * CLIP byte-level BPE tokenizer (the algorithm of OpenAI's `simple_tokenizer.py`, as used by
 * `transformers.CLIPTokenizer`).
 *
 * Invariant: `encode` always returns exactly `maxLength` ids: bos, at most `maxLength − 2` text
 * tokens (truncated), eos, then pad ids.
 */
export class ClipTokenizer {
  readonly maxLength: number;
  readonly padId: number;
  readonly bosId: number;
  readonly eosId: number;
  private readonly unkId: number;
  private readonly mergeRanks = new Map<string, number>();
  private readonly cache = new Map<string, string[]>();
  private readonly byteEncoder = bytesToUnicode();

  constructor(
    private readonly vocab: ReadonlyMap<string, number>,
    merges: readonly string[],
    options: ClipTokenizerOptions = {},
  ) {
    merges.forEach((merge, rank) => {
      // Ranks count merge lines only; a pair joins with one space ("l o").
      if (!this.mergeRanks.has(merge)) this.mergeRanks.set(merge, rank);
    });
    this.maxLength = options.maxLength ?? 77;
    if (this.maxLength < 2)
      throw new Error(`tokenizer max length must be at least 2, got ${this.maxLength}`);
    this.bosId = vocab.get(BOS_TOKEN) ?? CLIP_BOS_ID;
    this.eosId = vocab.get(EOS_TOKEN) ?? CLIP_EOS_ID;
    const unkToken = options.unkToken ?? EOS_TOKEN;
    this.unkId = vocab.get(unkToken) ?? this.eosId;
    const padToken = options.padToken ?? EOS_TOKEN;
    const padId = vocab.get(padToken);
    if (padId === undefined)
      throw new Error(`tokenizer pad token '${padToken}' is not in vocab.json`);
    this.padId = padId;
  }

  /** Loads `vocab.json`, `merges.txt` and the configs from a Hugging Face `tokenizer/` folder. */
  static async fromDirectory(directory: string): Promise<ClipTokenizer> {
    const vocabText = await readRequired(join(directory, 'vocab.json'));
    const mergesText = await readRequired(join(directory, 'merges.txt'));
    let vocabObject: unknown;
    try {
      vocabObject = JSON.parse(vocabText);
    } catch (error) {
      throw new Error(
        `${join(directory, 'vocab.json')} is not valid JSON: ${(error as Error).message}`,
      );
    }
    if (typeof vocabObject !== 'object' || vocabObject === null || Array.isArray(vocabObject)) {
      throw new Error(`${join(directory, 'vocab.json')} must be an object of token → id`);
    }
    const vocab = new Map<string, number>();
    for (const [token, id] of Object.entries(vocabObject)) {
      if (typeof id === 'number') vocab.set(token, id);
    }
    const config = {
      ...(await readOptionalJson(join(directory, 'special_tokens_map.json'))),
      ...(await readOptionalJson(join(directory, 'tokenizer_config.json'))),
    };
    return new ClipTokenizer(vocab, parseMerges(mergesText), {
      padToken: tokenText(config.pad_token),
      unkToken: tokenText(config.unk_token),
      maxLength:
        typeof config.model_max_length === 'number' && config.model_max_length <= 4096
          ? config.model_max_length
          : 77,
    });
  }

  /**
   * Cleans text as `CLIPTokenizer` does without ftfy (its BasicTokenizer path): control and format
   * characters dropped, CJK ideographs split into separate words, NFC, collapsed whitespace,
   * trimmed, lower case (accents kept).
   */
  static normalize(text: string): string {
    return text
      .replace(/[\p{Cc}\p{Cf}\uFFFD]/gu, (character) => (/\s/.test(character) ? ' ' : ''))
      .replace(CJK_IDEOGRAPH, ' $& ')
      .normalize('NFC')
      .replace(/\s+/g, ' ')
      .trim()
      .toLowerCase();
  }

  /** BPE tokens (strings, `</w>` marking word ends) of `text`, without bos/eos. */
  tokenize(text: string): string[] {
    const tokens: string[] = [];
    for (const match of ClipTokenizer.normalize(text).matchAll(CLIP_PATTERN)) {
      const word = Array.from(
        new TextEncoder().encode(match[0]),
        (byte) => this.byteEncoder[byte]!,
      ).join('');
      tokens.push(...this.bpe(word));
    }
    return tokens;
  }

  /** Ids of `text` without special tokens or padding (unknown pieces map to the unk id). */
  tokenIds(text: string): number[] {
    return this.tokenize(text).map((token) => this.vocab.get(token) ?? this.unkId);
  }

  /** `maxLength` ids: bos, text (truncated), eos, padding. */
  encode(text: string): number[] {
    const ids = this.tokenIds(text).slice(0, this.maxLength - 2);
    const out = [this.bosId, ...ids, this.eosId];
    while (out.length < this.maxLength) out.push(this.padId);
    return out;
  }

  private bpe(word: string): string[] {
    const cached = this.cache.get(word);
    if (cached) return cached;
    const symbols = Array.from(word);
    if (symbols.length === 0) return [];
    symbols[symbols.length - 1] += '</w>';
    let parts = symbols;
    while (parts.length > 1) {
      let bestRank = Number.POSITIVE_INFINITY;
      let bestIndex = -1;
      for (let index = 0; index < parts.length - 1; index++) {
        const rank = this.mergeRanks.get(`${parts[index]} ${parts[index + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          bestIndex = index;
        }
      }
      if (bestIndex < 0) break;
      // Merge every occurrence of the best pair left to right, as the reference does.
      const first = parts[bestIndex]!;
      const second = parts[bestIndex + 1]!;
      const merged: string[] = [];
      for (let index = 0; index < parts.length; index++) {
        if (index < parts.length - 1 && parts[index] === first && parts[index + 1] === second) {
          merged.push(first + second);
          index++;
        } else merged.push(parts[index]!);
      }
      parts = merged;
    }
    if (this.cache.size < 10_000) this.cache.set(word, parts);
    return parts;
  }
}

/** Merge lines of `merges.txt`, skipping the `#version` header and blank lines. */
export function parseMerges(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#version'));
}

/**
 * GPT-2/CLIP byte → printable unicode table: printable Latin-1 bytes map to themselves, the rest
 * to code points from 256 upward, so every byte string becomes a string without whitespace.
 */
export function bytesToUnicode(): string[] {
  const table: string[] = new Array(256);
  let next = 0;
  for (let byte = 0; byte < 256; byte++) {
    const printable =
      (byte >= 0x21 && byte <= 0x7e) ||
      (byte >= 0xa1 && byte <= 0xac) ||
      (byte >= 0xae && byte <= 0xff);
    table[byte] = String.fromCodePoint(printable ? byte : 256 + next++);
  }
  return table;
}

function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { content?: unknown }).content === 'string'
  ) {
    return (value as { content: string }).content;
  }
  return undefined;
}

async function readRequired(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new Error(`tokenizer file missing: ${path}`);
  }
}

async function readOptionalJson(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}
