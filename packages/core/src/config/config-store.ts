import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Keys look like `runware.api_key`: dotted lower-case words. */
const KEY_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/**
 * Server-side settings that must not live in the database or history (API keys): one JSON file,
 * `<dataDir>/config.json`, readable and writable only by its owner (mode 0600).
 *
 * Invariant: every write replaces the file atomically with mode 0600 from the start (written to a
 * temporary file created 0600, then renamed), so a secret is never briefly world-readable.
 */
export class ConfigStore {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'config.json');
  }

  /** The value of a key, or undefined when unset (a missing or unreadable file counts as empty). */
  async get(key: string): Promise<string | undefined> {
    const value = (await this.readAll())[key];
    return typeof value === 'string' ? value : undefined;
  }

  /** Sets (or with `undefined`, removes) a key. */
  async set(key: string, value: string | undefined): Promise<void> {
    if (!KEY_PATTERN.test(key)) {
      throw new Error(`config key ${JSON.stringify(key)} must look like "section.name"`);
    }
    const all = await this.readAll();
    if (value === undefined) delete all[key];
    else all[key] = value;
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temporary, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
    // writeFile's mode is filtered by the umask; chmod makes 0600 exact before the rename.
    await chmod(temporary, 0o600);
    await rename(temporary, this.path);
  }

  private async readAll(): Promise<Record<string, unknown>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return {};
    }
    try {
      const parsed: unknown = JSON.parse(text);
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : {};
    } catch {
      return {};
    }
  }
}
