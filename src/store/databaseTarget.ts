import { ConfigurationError } from '../core/errors/index.js';

/** Which database to open: a SQLite file, or a PostgreSQL server by URL. */
export type DatabaseTarget = SqliteTarget | PostgresTarget;

export interface SqliteTarget {
  dialect: 'sqlite';
  /** The database file. */
  file: string;
}

export interface PostgresTarget {
  dialect: 'postgres';
  /** The connection URL, password included: hand it to the driver only, never print it. */
  url: string;
}

/** The environment variable that points LocalAgent at PostgreSQL; it wins over `database.url` in config. */
export const DATABASE_URL_VARIABLE = 'LOCALAGENT_DATABASE_URL';

const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;
/** Query parameters that may carry a credential (`password=`, `sslpassword=`, `sslkey=`…). */
const SECRET_PARAMETER = /pass|secret|key|token/i;

/**
 * Chooses the database: PostgreSQL when `LOCALAGENT_DATABASE_URL` (or else `database.url` from
 * config) is set, otherwise the SQLite file in the home. A URL that is not a `postgres://` or
 * `postgresql://` URL is refused with `LA_DB_URL_INVALID` rather than silently ignored.
 */
export function resolveDatabaseTarget(options: { env: NodeJS.ProcessEnv; configUrl?: string | undefined; sqliteFile: string }): DatabaseTarget {
  const fromEnv = options.env[DATABASE_URL_VARIABLE]?.trim();
  const url = fromEnv ? fromEnv : options.configUrl?.trim();
  if (!url) return { dialect: 'sqlite', file: options.sqliteFile };
  const source = fromEnv ? DATABASE_URL_VARIABLE : 'database.url';
  if (!POSTGRES_URL.test(url) || !URL.canParse(url)) {
    throw new ConfigurationError({
      code: 'LA_DB_URL_INVALID',
      // The value itself is not shown: it may hold a password.
      message: `${source} is not a PostgreSQL URL (it must look like postgres://user:password@host:5432/database).`,
      suggestion: `Fix ${source}, or unset it to use the SQLite database in the LocalAgent home.`,
      details: { source },
    });
  }
  return { dialect: 'postgres', url };
}

/**
 * The URL with its password replaced by `***`, for messages and `db status`. A URL that does not
 * parse is not shown at all.
 */
export function maskDatabaseUrl(url: string): string {
  if (!URL.canParse(url)) return 'postgres://(a URL that does not parse)';
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMETER.test(name)) parsed.searchParams.set(name, '***');
  }
  return parsed.toString();
}

/** Where a target is, safe to print: the file, or the URL with its password masked. */
export function describeTarget(target: DatabaseTarget): string {
  return target.dialect === 'sqlite' ? target.file : maskDatabaseUrl(target.url);
}

/** The secrets inside a target (the URL and its password), for the redactor. */
export function targetSecrets(target: DatabaseTarget): string[] {
  if (target.dialect !== 'postgres') return [];
  const parsed = new URL(target.url);
  const secrets = [...parsed.searchParams.entries()].filter(([name]) => SECRET_PARAMETER.test(name)).map(([, value]) => value);
  if (parsed.password) secrets.push(decodeURIComponent(parsed.password), parsed.password);
  return secrets.length > 0 ? [target.url, ...new Set(secrets)] : [];
}
