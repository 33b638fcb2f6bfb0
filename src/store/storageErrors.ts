import { LocalAgentError, StorageError } from '../core/errors/index.js';

/** SQLite's result codes that mean "another connection holds the lock" (after busy_timeout ran out). */
const LOCKED_CODES = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY', 'SQLITE_BUSY_TIMEOUT', 'SQLITE_LOCKED', 'SQLITE_LOCKED_SHAREDCACHE']);

function driverCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when `error` (from the driver or already mapped) means the database was locked. */
export function isLockedError(error: unknown): boolean {
  if (error instanceof LocalAgentError) return error.code === 'LA_DB_LOCKED';
  const code = driverCode(error);
  return code !== undefined && LOCKED_CODES.has(code);
}

/**
 * Turns a driver error into a StorageError a person can act on. Ours pass through; a lock that
 * outlasted the busy timeout becomes `LA_DB_LOCKED` (transient: it clears when the other process
 * finishes); anything else is `LA_STORAGE` with what the driver said.
 */
export function toStorageError(error: unknown, file: string, doing: string): LocalAgentError {
  if (error instanceof LocalAgentError) return error;
  if (isLockedError(error)) {
    return new StorageError({
      code: 'LA_DB_LOCKED',
      category: 'transient',
      message: `The database ${file} is locked by another process, and stayed locked while ${doing}.`,
      suggestion:
        'Wait for the other LocalAgent process (a run, `serve`) to finish, or stop it; a lock left by a crashed process clears by itself once that process has exited.',
      details: { file, driver_code: driverCode(error) },
      cause: error,
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new StorageError({
    message: `The database ${file} failed while ${doing}: ${reason}.`,
    details: { file, ...(driverCode(error) ? { driver_code: driverCode(error) } : {}) },
    cause: error,
  });
}
