import { lock } from 'proper-lockfile';
import { StorageError } from '../errors/index.js';

export interface FileLockOptions {
  /** How long to keep retrying before giving up, roughly, in milliseconds. Default 15 s. */
  waitMs?: number;
  /**
   * After this long without a heartbeat a lock counts as abandoned (its holder crashed) and is
   * taken over. The holder refreshes it every `staleMs / 2`, so long operations keep it. Default 10 s.
   */
  staleMs?: number;
}

/**
 * Runs `fn` while holding an exclusive, cross-process lock on `file` (a `<file>.lock` directory,
 * created atomically by mkdir, so it works on every local file system and needs no daemon). The
 * file itself need not exist. Retries with jitter until `waitMs`; a lock whose holder died is
 * reclaimed after `staleMs`.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const staleMs = options.staleMs ?? 10_000;
  const waitMs = options.waitMs ?? 15_000;
  // Exponential backoff from 5 ms capped at 100 ms: enough attempts to cover waitMs.
  const retries = Math.max(1, Math.ceil(waitMs / 100) + 6);
  let compromised: Error | undefined;
  let release: () => Promise<void>;
  try {
    release = await lock(file, {
      realpath: false,
      stale: staleMs,
      retries: { retries, minTimeout: 5, maxTimeout: 100, factor: 1.5, randomize: true },
      // The default throws from a timer, which would crash the process; surface it to the caller instead.
      onCompromised: (error) => {
        compromised = error;
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new StorageError({
        code: 'LA_FILE_LOCKED',
        category: 'transient',
        message: `Another LocalAgent process has held the lock on ${file} for too long.`,
        suggestion: `Wait for the other process to finish and try again. If none is running, remove ${file}.lock.`,
        details: { file },
        cause: error,
      });
    }
    throw new StorageError({
      message: `Cannot lock ${file}: ${(error as Error).message}`,
      details: { file },
      cause: error,
    });
  }
  let result: T;
  try {
    result = await fn();
  } finally {
    await release().catch(() => {
      // Releasing a lock that was compromised fails; the compromise is reported below.
    });
  }
  if (compromised) {
    throw new StorageError({
      code: 'LA_FILE_LOCK_LOST',
      message: `The lock on ${file} was taken over while this process held it, so another process may have written at the same time.`,
      suggestion: 'Check the file (for an audit log: `localagent audit verify`) and repeat the operation.',
      details: { file },
      cause: compromised,
    });
  }
  return result;
}
