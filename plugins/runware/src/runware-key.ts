import { ConfigStore } from '@viwo/core';

/** The config key `bun run viwo config set runware.api_key KEY` writes. */
export const RUNWARE_KEY_CONFIG = 'runware.api_key';

/** Where the key in use comes from (never the key itself). */
export type RunwareKeySource = 'environment' | 'config' | 'option' | null;

/**
 * Finds the Runware API key: an explicit plugin option (tests), then `RUNWARE_API_KEY`, then the
 * server's config file (`<dataDir>/config.json`, mode 0600). Read on every connect, so a key set
 * from Settings or the CLI while the server runs applies to the next connection.
 */
export class RunwareKey {
  private readonly config: ConfigStore;

  constructor(
    dataDir: string,
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly explicit?: string,
  ) {
    this.config = new ConfigStore(dataDir);
  }

  /** The key to authenticate with, if any. */
  async current(): Promise<string | undefined> {
    return (await this.resolve()).key;
  }

  /** Whether a key is configured and where from: safe to show a client. */
  async status(): Promise<{ configured: boolean; source: RunwareKeySource }> {
    const { source } = await this.resolve();
    return { configured: source !== null, source };
  }

  private async resolve(): Promise<{ key?: string; source: RunwareKeySource }> {
    if (this.explicit) return { key: this.explicit, source: 'option' };
    const fromEnv = this.env.RUNWARE_API_KEY?.trim();
    if (fromEnv) return { key: fromEnv, source: 'environment' };
    const stored = (await this.config.get(RUNWARE_KEY_CONFIG))?.trim();
    return stored ? { key: stored, source: 'config' } : { source: null };
  }
}

/**
 * Stores (or with an empty value, clears) the key in the server's config file. Refuses values that
 * cannot be a key, without echoing them.
 */
export async function storeRunwareKey(dataDir: string, key: string): Promise<void> {
  const trimmed = key.trim();
  if (trimmed.length > 0 && !/^[A-Za-z0-9_.-]{8,256}$/.test(trimmed)) {
    throw new Error(
      'that does not look like a Runware API key (8–256 letters, digits, "_", "-" or ".")',
    );
  }
  await new ConfigStore(dataDir).set(RUNWARE_KEY_CONFIG, trimmed.length > 0 ? trimmed : undefined);
}
