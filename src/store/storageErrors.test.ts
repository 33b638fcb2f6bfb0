import { describe, expect, it } from 'vitest';
import { StorageError } from '../core/errors/index.js';
import { isLockedError, isUnavailableError, isUniqueViolation, toStorageError } from './index.js';

const driverError = (code: string, message = `driver says ${code}`) => Object.assign(new Error(message), { code });

describe('driver errors a person can act on', () => {
  it('says the server cannot be reached, and why, for socket and server-shutdown errors', () => {
    const cases: [unknown, string][] = [
      [driverError('ECONNREFUSED'), 'nothing accepts connections there'],
      [Object.assign(new AggregateError([driverError('ECONNREFUSED'), driverError('ECONNREFUSED')]), {}), 'nothing accepts connections there'],
      [driverError('ENOTFOUND'), 'the host name does not resolve'],
      [driverError('ETIMEDOUT'), 'the connection timed out'],
      [new Error('timeout exceeded when trying to connect'), 'the connection timed out'],
      [driverError('57P03'), 'the server is starting up or shutting down'],
      [driverError('53300'), 'the server has no free connection slots'],
      [driverError('57P01', 'terminating connection due to administrator command'), 'the connection was closed'],
      [driverError('08006'), 'the connection was closed'],
      [new Error('Connection terminated unexpectedly'), 'the connection was closed'],
    ];
    for (const [error, reason] of cases) {
      expect(isUnavailableError(error)).toBe(true);
      const mapped = toStorageError(error, 'postgres://bob:***@db/la', 'reading a run');
      expect(mapped).toMatchObject({ code: 'LA_DB_UNAVAILABLE', category: 'transient' });
      expect(mapped.message).toBe(`The database server postgres://bob:***@db/la cannot be reached (${reason}) while reading a run.`);
      expect(isUnavailableError(mapped)).toBe(true);
    }
    expect(isUnavailableError(new AggregateError([]))).toBe(false);
    expect(isUnavailableError('text')).toBe(false);
  });

  it('treats PostgreSQL lock timeouts, deadlocks and serialization failures as a lock', () => {
    for (const code of ['55P03', '40P01', '40001', 'SQLITE_BUSY']) {
      expect(isLockedError(driverError(code))).toBe(true);
      expect(toStorageError(driverError(code), 'db', 'x')).toMatchObject({ code: 'LA_DB_LOCKED', category: 'transient' });
    }
    expect(isLockedError(new StorageError({ code: 'LA_DB_LOCKED', message: 'm' }))).toBe(true);
  });

  it('knows a unique violation, and passes its own errors through', () => {
    expect(['23505', 'SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_CONSTRAINT_UNIQUE'].every((code) => isUniqueViolation(driverError(code)))).toBe(true);
    expect(isUniqueViolation(driverError('23503'))).toBe(false);
    const own = new StorageError({ message: 'mine' });
    expect(toStorageError(own, 'db', 'x')).toBe(own);
    expect(toStorageError('plain text', 'db', 'writing')).toMatchObject({ code: 'LA_STORAGE', message: 'The database db failed while writing: plain text.' });
  });
});
