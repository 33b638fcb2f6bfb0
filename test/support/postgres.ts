import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, it } from 'vitest';
import { openStore, type OpenStoreOptions, type Store } from '../../src/store/index.js';
import { useTempDirs } from './tempDir.js';

/**
 * PostgreSQL for tests: a fresh schema per test on the server at LOCALAGENT_TEST_DATABASE_URL
 * (default: 127.0.0.1:5432, database `test`, trust auth), dropped after the test. Outside CI a test
 * run without a reachable server skips the PostgreSQL half of `describeDialects` with a loud
 * message; with CI=true it fails instead, so CI can never pass without having run them.
 */

export const TEST_DATABASE_URL_VARIABLE = 'LOCALAGENT_TEST_DATABASE_URL';

/** The server the PostgreSQL tests use. */
export const testDatabaseUrl = process.env[TEST_DATABASE_URL_VARIABLE] ?? 'postgres://postgres@127.0.0.1:5432/test';

const inCi = process.env.CI === 'true' || process.env.CI === '1';

async function probe(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message || String((error as { code?: unknown }).code) : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Why PostgreSQL cannot be used, or undefined when it answers. Probed once per test file. */
const unreachable = await probe(testDatabaseUrl);

/** Whether the PostgreSQL tests can run here. */
export const postgresReachable = unreachable === undefined;

const HOW_TO_RUN = `Start PostgreSQL on 127.0.0.1:5432 with trust auth and a database named "test" (e.g. \`pg_ctlcluster 15 main start\`), or set ${TEST_DATABASE_URL_VARIABLE} to a server the tests may create schemas in.`;

/** Runs `statements` on the test server over a connection of its own. */
async function admin(statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Where one test's database is: spread it into `openStore` / `RunStore.open` options. */
export type TestDatabase = { file: string; url?: undefined; schema?: undefined } | { url: string; schema: string; file?: undefined };

export type TestDialect = 'sqlite' | 'postgres';

/**
 * `() => a fresh, empty PostgreSQL schema` for the current test; every schema made is dropped
 * (with everything in it) after the test. Close the stores using it before the test ends.
 */
export function usePostgresSchemas(): () => Promise<{ url: string; schema: string }> {
  const made: string[] = [];
  afterEach(async () => {
    const schemas = made.splice(0);
    if (schemas.length > 0) await admin(schemas.map((schema) => `drop schema if exists ${schema} cascade`));
  });
  return async () => {
    const schema = `la_test_${process.pid}_${randomBytes(5).toString('hex')}`;
    made.push(schema);
    await admin([`create schema ${schema}`]);
    return { url: testDatabaseUrl, schema };
  };
}

/**
 * The URL of a fresh schema, with the schema in the URL itself (`options=-c search_path=…`): for a
 * child process such as the built CLI, which takes only LOCALAGENT_DATABASE_URL.
 */
export function urlWithSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

/** What a `describeDialects` body gets. */
export interface DialectSuite {
  dialect: TestDialect;
  /** A fresh, empty database for the current test (a SQLite file in a temp folder, or a PostgreSQL schema). */
  newDatabase(): Promise<TestDatabase>;
  /** A store on `at` (default: a fresh database), closed after the test, before its database goes. */
  openStore(at?: OpenStoreOptions): Promise<Store>;
}

/**
 * The suite for one dialect: `openStore` keeps what it opens and closes it after each test. Its
 * hook is registered after the one that drops the test's schemas or folders, so (hooks run in
 * reverse) the stores are closed first.
 */
function dialectSuite(dialect: TestDialect, newDatabase: () => Promise<TestDatabase>): DialectSuite {
  const open: Store[] = [];
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
  });
  return {
    dialect,
    newDatabase,
    async openStore(at) {
      const store = await openStore(at ?? (await newDatabase()));
      open.push(store);
      return store;
    },
  };
}

/**
 * Declares the suite `body` once per dialect: `name [sqlite]` and `name [postgres]`. Without a
 * reachable PostgreSQL the second is skipped with a message saying how to run it, or fails in CI.
 */
export function describeDialects(name: string, body: (suite: DialectSuite) => void): void {
  describe(`${name} [sqlite]`, () => {
    const tempDir = useTempDirs();
    body(dialectSuite('sqlite', async () => ({ file: join(await tempDir(), 'localagent.db') })));
  });
  describePostgres(name, body);
}

/** Declares `name [postgres]` only: for what only PostgreSQL has. Skipped or failing as `describeDialects`. */
export function describePostgres(name: string, body: (suite: DialectSuite) => void): void {
  if (postgresReachable) {
    describe(`${name} [postgres]`, () => {
      const newSchema = usePostgresSchemas();
      body(dialectSuite('postgres', newSchema));
    });
    return;
  }
  const message = `PostgreSQL at ${maskedTestUrl()} is not reachable (${unreachable}), so "${name} [postgres]" did not run. ${HOW_TO_RUN}`;
  if (inCi) {
    describe(`${name} [postgres]`, () => {
      it('needs a reachable PostgreSQL (CI never skips it)', () => {
        throw new Error(message);
      });
    });
    return;
  }
  process.stderr.write(`\n${'!'.repeat(100)}\n!! SKIPPED: ${message}\n${'!'.repeat(100)}\n\n`);
  describe.skip(`${name} [postgres]`, () => {
    body(dialectSuite('postgres', () => Promise.reject(new Error(message))));
  });
}

function maskedTestUrl(): string {
  if (!URL.canParse(testDatabaseUrl)) return TEST_DATABASE_URL_VARIABLE;
  const parsed = new URL(testDatabaseUrl);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
