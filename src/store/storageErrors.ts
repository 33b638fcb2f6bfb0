import { LocalAgentError, StorageError } from '../core/errors/index.js';

/**
 * Driver codes that mean "another connection holds the lock": SQLite's after busy_timeout ran out;
 * PostgreSQL's lock_not_available, deadlock_detected and serialization_failure (all clear on retry).
 */
const LOCKED_CODES = new Set([
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_BUSY_RECOVERY',
  'SQLITE_BUSY_TIMEOUT',
  'SQLITE_LOCKED',
  'SQLITE_LOCKED_SHAREDCACHE',
  '55P03',
  '40P01',
  '40001',
]);

/**
 * Codes that mean the server cannot be reached or went away: socket errors, and PostgreSQL's
 * connection_exception class (08…), admin_shutdown, crash_shutdown, cannot_connect_now and
 * too_many_connections.
 */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', '57P01', '57P02', '57P03', '53300']);
/** What node-postgres says, without a code, when a connection ends under it or cannot be made in time. */
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection closed|terminating connection/i;

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

/** True when `error` (from the driver or already mapped) means the database server cannot be reached. */
export function isUnavailableError(error: unknown): boolean {
  if (error instanceof LocalAgentError) return error.code === 'LA_DB_UNAVAILABLE';
  const code = driverCode(error);
  if (code !== undefined && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  const errors = (error as { errors?: unknown } | null)?.errors;
  // A refused connection to a host with several addresses (localhost: ::1 and 127.0.0.1) is an AggregateError.
  if (Array.isArray(errors) && errors.length > 0 && errors.every((e) => isUnavailableError(e))) return true;
  return error instanceof Error && UNAVAILABLE_MESSAGES.test(error.message);
}

/** Why the server could not be reached, in a few words, without anything from the URL. */
function unavailableReason(error: unknown): string {
  const code = driverCode(error);
  if (code === 'ECONNREFUSED') return 'nothing accepts connections there';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (code === 'ETIMEDOUT' || (error instanceof Error && /timeout/i.test(error.message))) return 'the connection timed out';
  if (code === '57P03') return 'the server is starting up or shutting down';
  if (code === '53300') return 'the server has no free connection slots';
  if (Array.isArray((error as { errors?: unknown }).errors)) return 'nothing accepts connections there';
  return 'the connection was closed';
}

/**
 * Turns a driver error into a StorageError a person can act on. Ours pass through; a server that
 * cannot be reached becomes `LA_DB_UNAVAILABLE` and a lock that outlasted the busy timeout
 * `LA_DB_LOCKED` (both transient: they clear by themselves); anything else is `LA_STORAGE` with
 * what the driver said. `file` is where the database is, safe to print (a file, or a masked URL).
 */
export function toStorageError(error: unknown, file: string, doing: string): LocalAgentError {
  if (error instanceof LocalAgentError) return error;
  if (isUnavailableError(error)) {
    return new StorageError({
      code: 'LA_DB_UNAVAILABLE',
      category: 'transient',
      message: `The database server ${file} cannot be reached (${unavailableReason(error)}) while ${doing}.`,
      suggestion:
        'Check that PostgreSQL is running and reachable from here (`pg_isready -h <host> -p <port>`), then try again; a run that stopped because of it continues with `localagent runs resume <run>` once the server is back.',
      details: { database: file, ...(driverCode(error) ? { driver_code: driverCode(error) } : {}) },
      cause: error,
    });
  }
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

/** True when `error` is a driver's unique or primary-key violation (the row is there already). */
export function isUniqueViolation(error: unknown): boolean {
  const code = driverCode(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
