import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { StorageError } from '../core/errors/index.js';
import { withFileLock, writeFileAtomic, type FileLockOptions } from '../core/fs/index.js';
import { indexCorrupt } from './errors.js';
import { STORED_NAME_PATTERN } from './providers.js';

/** Public facts about a key kept in the OS keyring. Never the key. */
export interface KeyIndexEntry {
  backend: 'keyring';
  fingerprint: string;
  masked: string;
  createdAt: string;
  rotatedAt: string | null;
}

const entrySchema = z.strictObject({
  backend: z.literal('keyring'),
  fingerprint: z.string().max(80),
  masked: z.string().max(40),
  created_at: z.iso.datetime(),
  rotated_at: z.iso.datetime().nullable(),
});

const fileSchema = z.strictObject({
  format: z.literal('localagent-key-index'),
  version: z.literal(1),
  keys: z.record(z.string().regex(STORED_NAME_PATTERN), entrySchema),
});

/**
 * `keys.json`: which providers have a key in the OS keyring, with their fingerprints and dates, so
 * listing works without touching (or unlocking) the keyring. It holds no secret; it is still 0600
 * because the list of providers someone uses is their business.
 */
export class KeyIndex {
  constructor(
    readonly file: string,
    private readonly lockOptions: FileLockOptions = {},
  ) {}

  async read(): Promise<Map<string, KeyIndexEntry>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw new StorageError({ message: `Cannot read ${this.file}: ${(error as Error).message}`, details: { file: this.file }, cause: error });
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw indexCorrupt(this.file, 'not valid JSON', error);
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) throw indexCorrupt(this.file, `unexpected structure at ${parsed.error.issues[0]?.path.join('.') ?? 'the top level'}`);
    const out = new Map<string, KeyIndexEntry>();
    for (const [provider, entry] of Object.entries(parsed.data.keys)) {
      out.set(provider, {
        backend: entry.backend,
        fingerprint: entry.fingerprint,
        masked: entry.masked,
        createdAt: entry.created_at,
        rotatedAt: entry.rotated_at,
      });
    }
    return out;
  }

  /** Read, change and write back under the file's lock, so concurrent updates are not lost. */
  async update<T>(change: (entries: Map<string, KeyIndexEntry>) => T): Promise<T> {
    return withFileLock(
      this.file,
      async () => {
        const entries = await this.read();
        const result = change(entries);
        const keys: Record<string, z.infer<typeof entrySchema>> = {};
        for (const provider of [...entries.keys()].sort()) {
          const entry = entries.get(provider) as KeyIndexEntry;
          keys[provider] = {
            backend: entry.backend,
            fingerprint: entry.fingerprint,
            masked: entry.masked,
            created_at: entry.createdAt,
            rotated_at: entry.rotatedAt,
          };
        }
        await writeFileAtomic(this.file, `${JSON.stringify({ format: 'localagent-key-index', version: 1, keys }, null, 2)}\n`);
        return result;
      },
      this.lockOptions,
    );
  }
}
