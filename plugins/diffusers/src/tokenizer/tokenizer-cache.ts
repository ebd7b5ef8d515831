import { join } from 'node:path';
import type { DiffusersModelInfo } from '../models/model-info.ts';
import { ClipTokenizer } from './clip-tokenizer.ts';

/**
 * Tokenizers per model folder, loaded once and shared by every pipeline that encodes prompts
 * (SD and SDXL alike). A failed load is forgotten, so the next call retries.
 */
export class TokenizerCache {
  private readonly tokenizers = new Map<string, Promise<ClipTokenizer>>();

  /** The tokenizer in `folder` of a model (`tokenizer`, or `tokenizer_2` for SDXL). */
  get(model: DiffusersModelInfo, folder = 'tokenizer'): Promise<ClipTokenizer> {
    const key = join(model.directory, folder);
    let pending = this.tokenizers.get(key);
    if (!pending) {
      pending = ClipTokenizer.fromDirectory(key);
      pending.catch(() => this.tokenizers.delete(key));
      this.tokenizers.set(key, pending);
    }
    return pending;
  }
}
