import { describe, expect, it } from 'vitest';
import { LocalAgentError } from '../core/errors/index.js';
import { describeTarget, maskDatabaseUrl, resolveDatabaseTarget, targetSecrets } from './index.js';

describe('choosing the database', () => {
  const sqliteFile = 'home/localagent.db';

  it('uses the SQLite file in the home unless a URL is set', () => {
    expect(resolveDatabaseTarget({ env: {}, sqliteFile })).toEqual({ dialect: 'sqlite', file: sqliteFile });
    expect(resolveDatabaseTarget({ env: { LOCALAGENT_DATABASE_URL: '  ' }, configUrl: ' ', sqliteFile })).toEqual({ dialect: 'sqlite', file: sqliteFile });
    expect(describeTarget({ dialect: 'sqlite', file: sqliteFile })).toBe(sqliteFile);
    expect(targetSecrets({ dialect: 'sqlite', file: sqliteFile })).toEqual([]);
  });

  it('uses PostgreSQL for a postgres URL; the environment wins over the config', () => {
    expect(resolveDatabaseTarget({ env: {}, configUrl: 'postgresql://db/la', sqliteFile })).toEqual({ dialect: 'postgres', url: 'postgresql://db/la' });
    expect(resolveDatabaseTarget({ env: { LOCALAGENT_DATABASE_URL: 'postgres://env/la' }, configUrl: 'postgres://config/la', sqliteFile })).toEqual({ dialect: 'postgres', url: 'postgres://env/la' });
  });

  it('refuses anything else, naming where it came from but never its value', () => {
    for (const [env, configUrl, source] of [
      [{ LOCALAGENT_DATABASE_URL: 'mysql://root:pw-secret@db/la' }, undefined, 'LOCALAGENT_DATABASE_URL'], // secret-scan: allow (fake value for a test or benchmark)
      [{}, 'postgres://a b:pw-secret@', 'database.url'],
    ] as const) {
      let error: unknown;
      try {
        resolveDatabaseTarget({ env, configUrl, sqliteFile });
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(LocalAgentError);
      expect(error).toMatchObject({ code: 'LA_DB_URL_INVALID', category: 'user', details: { source } });
      expect(JSON.stringify((error as LocalAgentError).toJSON())).not.toContain('pw-secret');
    }
  });

  it('masks the password and secret parameters, and lists them for the redactor', () => {
    const url = 'postgres://bob:s3cr%40t-long@db.example:5432/la?sslmode=require&password=other-secret'; // secret-scan: allow (fake value for a test or benchmark)
    expect(maskDatabaseUrl(url)).toBe('postgres://bob:***@db.example:5432/la?sslmode=require&password=***');
    expect(describeTarget({ dialect: 'postgres', url })).toBe(maskDatabaseUrl(url));
    expect(maskDatabaseUrl('postgres://db/la')).toBe('postgres://db/la');
    expect(maskDatabaseUrl('not a url')).toBe('postgres://(a URL that does not parse)');
    expect(targetSecrets({ dialect: 'postgres', url })).toEqual([url, 'other-secret', 's3cr@t-long', 's3cr%40t-long']);
    expect(targetSecrets({ dialect: 'postgres', url: 'postgres://bob@db/la' })).toEqual([]);
  });
});
