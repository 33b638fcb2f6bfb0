import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { describeDialects, describePostgres, type TestDatabase } from '../../test/support/postgres.js';
import { useTempDirs } from '../../test/support/tempDir.js';
import { appendPostgres } from './appendPostgres.js';
import { MIGRATIONS, migrateWithReport, openStore, schemaStatus, type Database, type Migration, type Store } from './index.js';
import { caught } from '../../test/support/caught.js';

const tempDir = useTempDirs();

const LATEST = MIGRATIONS.length;
const VERSIONS = MIGRATIONS.map((m) => m.version);

async function tableNames(store: Store): Promise<string[]> {
  const rows =
    store.dialect === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(store.db)
      : await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(store.db);
  return rows.rows.map((r) => r.name).sort();
}

function insertRuns(db: Kysely<Database>, ids: string[]) {
  return db
    .insertInto('runs')
    .values(ids.map((id) => ({ id, plan_id: 'p', plan_hash: 'h', plan: '{}', title: 't', status: 'running' as const, workspace: '/', seed: 1, inputs: '{}', concurrency: 1, created_at: 'x', updated_at: 'x', owner_pid: null, owner_host: null, owner_token: null, heartbeat_at: null })))
    .execute();
}

const journalRow = (run: string) => ({ run_id: run, at: '2025-01-01T00:00:00.000Z', type: 't', task_id: null, attempt: null, data: null });

describeDialects('openStore and migrations', ({ dialect, newDatabase }) => {
  const open = (at: TestDatabase, more: { migrations?: readonly Migration[]; migrate?: boolean } = {}) => openStore({ ...at, ...more });

  it('creates a fresh database with every table, and records each migration', async () => {
    const store = await open(await newDatabase());
    expect(store.version).toBe(LATEST);
    expect(store.dialect).toBe(dialect);
    expect(await tableNames(store)).toEqual(expect.arrayContaining(['audit_events', 'migrations', 'results', 'run_events', 'runs']));
    const migrations = await store.db.selectFrom('migrations').selectAll().orderBy('version').execute();
    expect(migrations.map((m) => m.version)).toEqual(VERSIONS);
    expect(migrations[1]).toMatchObject({ version: 2, name: expect.stringContaining('audit_events') as string });
    await store.close();
    await store.close();
  });

  it('re-opens without applying anything twice, and applies a new migration forward', async () => {
    const at = await newDatabase();
    await (await open(at)).close();
    const again = await open(at);
    expect((await again.db.selectFrom('migrations').select('version').orderBy('version').execute()).map((r) => r.version)).toEqual(VERSIONS);
    await again.close();
    const next: Migration = {
      version: LATEST + 1,
      name: 'add a notes table',
      async up(db) {
        await db.schema.createTable('notes').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
      },
    };
    const upgraded = await open(at, { migrations: [...MIGRATIONS, next] });
    expect(upgraded.version).toBe(LATEST + 1);
    expect((await upgraded.db.selectFrom('migrations').select('version').orderBy('version').execute()).map((r) => r.version)).toEqual([...VERSIONS, LATEST + 1]);
    await upgraded.close();
  });

  it('refuses a database written by a newer LocalAgent, leaving it untouched', async () => {
    const at = await newDatabase();
    const store = await open(at);
    await store.db.insertInto('migrations').values({ version: LATEST + 1, name: 'from the future', applied_at: '2030-01-01T00:00:00.000Z' }).execute();
    await store.close();
    const error = await caught(open(at));
    expect(error.code).toBe('LA_DB_TOO_NEW');
    expect(error.category).toBe('user');
    expect(error.message).toContain(`schema version ${LATEST + 1}`);
    expect(error.message).toContain(`up to ${LATEST}`);
    expect(error.suggestion).toMatch(/Upgrade LocalAgent/);
    const check = await open(at, { migrate: false });
    expect(check.version).toBe(LATEST + 1);
    expect(await check.db.selectFrom('migrations').select('version').execute()).toHaveLength(LATEST + 1);
    expect(await schemaStatus(check.db, dialect)).toMatchObject({ state: 'too_new', version: LATEST + 1, latest: LATEST, pending: [] });
    await check.close();
  });

  it('reports the schema without changing it, then migrates and says what it applied', async () => {
    const at = await newDatabase();
    const store = await open(at, { migrate: false });
    expect(store.version).toBe(0);
    expect(await schemaStatus(store.db, dialect)).toEqual({ version: 0, latest: LATEST, state: 'pending', applied: [], pending: MIGRATIONS.map((m) => ({ version: m.version, name: m.name })) });
    const report = await migrateWithReport(store.db, dialect, store.where);
    expect(report).toEqual({ from: 0, version: LATEST, applied: MIGRATIONS.map((m) => ({ version: m.version, name: m.name })) });
    expect(await migrateWithReport(store.db, dialect, store.where)).toEqual({ from: LATEST, version: LATEST, applied: [] });
    const status = await schemaStatus(store.db, dialect);
    expect(status).toMatchObject({ version: LATEST, state: 'up_to_date', pending: [] });
    expect(status.applied[0]).toMatchObject({ version: 1, appliedAt: expect.stringMatching(/^\d{4}-/) as string });
    await store.close();
  });

  it('applies nothing of a failing migration list (one transaction)', async () => {
    const at = await newDatabase();
    const broken: Migration = {
      version: LATEST + 1,
      name: 'fails halfway',
      async up(db) {
        await db.schema.createTable('half').addColumn('id', 'integer').execute();
        throw new Error('boom');
      },
    };
    const error = await caught(open(at, { migrations: [...MIGRATIONS, broken] }));
    expect(error.message).toContain('boom');
    const store = await open(at, { migrate: false });
    expect(store.version).toBe(0);
    expect(await tableNames(store)).not.toContain('half');
    await store.close();
  });

  it('refuses a migration list with a gap (caught in tests, never in a user database)', async () => {
    const gap: Migration = { version: LATEST + 2, name: 'gap', up: () => Promise.resolve() };
    await expect(open(await newDatabase(), { migrations: [...MIGRATIONS, gap] })).rejects.toThrow(`version ${LATEST + 2}; expected ${LATEST + 1}`);
  });

  it('writes journal rows with per-run sequence numbers through the portable writer', async () => {
    const at = await newDatabase();
    const store = dialect === 'sqlite' ? await openStore({ ...(at as { file: string }), journalWrites: 'kysely' as const }) : await open(at);
    await insertRuns(store.db, ['r1', 'r2']);
    expect(await store.appendEvents([journalRow('r1'), journalRow('r2'), journalRow('r1')])).toEqual([1, 1, 2]);
    expect(await store.appendEvents([journalRow('r1')])).toEqual([3]);
    expect(await store.appendEvents([])).toEqual([]);
    expect(store.appendEventsNow).toBeUndefined();
    await store.close();
  });

  it('maps a failing journal write to a storage error', async () => {
    const store = await open(await newDatabase());
    const error = await caught(store.appendEvents([journalRow('no-such-run')]));
    expect(error.code).toBe('LA_STORAGE');
    expect(error.message).toMatch(/FOREIGN KEY|foreign key/);
    await store.close();
  });
});

describe('openStore on SQLite', () => {
  it('makes the file private and uses WAL and foreign keys', async () => {
    const file = join(await tempDir(), 'nested', 'localagent.db');
    const store = await openStore({ file });
    expect(store.where).toBe(file);
    expect((await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db)).rows[0]?.journal_mode).toBe('wal');
    expect((await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(store.db)).rows[0]?.foreign_keys).toBe(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await store.close();
  });

  it('says the database is locked when another connection holds it past the busy timeout', async () => {
    const file = join(await tempDir(), 'la.db');
    await (await openStore({ file })).close();
    const other = new BetterSqlite3(file);
    other.exec('begin exclusive');
    try {
      const error = await caught(openStore({ file, busyTimeoutMs: 50 }));
      expect(error.code).toBe('LA_DB_LOCKED');
      expect(error.category).toBe('transient');
      expect(error.message).toContain('locked by another process');
    } finally {
      other.exec('rollback');
      other.close();
    }
  });

  it('reports a file that is not a database as a storage error', async () => {
    const file = join(await tempDir(), 'not-a.db');
    writeFileSync(file, 'this is text, not SQLite '.repeat(100));
    const error = await caught(openStore({ file }));
    expect(error.code).toBe('LA_STORAGE');
    expect(error.message).toContain(file);
  });

  it('writes journal rows natively, synchronously when the connection is free', async () => {
    const store = await openStore({ file: join(await tempDir(), 'la.db') });
    await insertRuns(store.db, ['r1', 'r2']);
    expect(await store.appendEvents([journalRow('r1'), journalRow('r2'), journalRow('r1')])).toEqual([1, 1, 2]);
    expect(store.appendEventsNow?.([journalRow('r2')])).toEqual([2]);
    expect(() => store.appendEventsNow?.([journalRow('no-such-run')])).toThrow(/FOREIGN KEY/);
    await store.close();
    expect(store.appendEventsNow?.([journalRow('r2')])).toBeUndefined();
  });

  it('does not write natively while a Kysely transaction is open on the connection', async () => {
    const store = await openStore({ file: join(await tempDir(), 'la.db') });
    await store.db.transaction().execute(async (trx) => {
      await trx.selectFrom('runs').selectAll().execute();
      expect(store.appendEventsNow?.([])).toBeUndefined();
    });
    expect(store.appendEventsNow?.([])).toEqual([]);
    await store.close();
  });

  it('opens a database written before the audit copy existed and adds it', async () => {
    const file = join(await tempDir(), 'la.db');
    await (await openStore({ file, migrations: MIGRATIONS.slice(0, 1) })).close();
    const raw = new BetterSqlite3(file);
    expect(raw.prepare("select count(*) as n from sqlite_master where name = 'audit_events'").get()).toEqual({ n: 0 });
    raw.close();
    const store = await openStore({ file });
    expect(store.version).toBe(LATEST);
    expect(await tableNames(store)).toContain('audit_events');
    await store.close();
  });
});

describePostgres('openStore on PostgreSQL', ({ newDatabase }) => {
  it('applies every migration once when several processes open a fresh database at the same moment', async () => {
    // Separate pools are separate sessions, as separate processes would be. (SQLite's case needs real
    // processes, since its driver blocks the thread while it waits: see Runner.crash.test.ts.)
    const at = await newDatabase();
    const stores = await Promise.all([openStore(at), openStore(at), openStore(at)]);
    expect(stores.map((s) => s.version)).toEqual([LATEST, LATEST, LATEST]);
    const rows = await stores[0]!.db.selectFrom('migrations').select('version').orderBy('version').execute();
    expect(rows.map((r) => r.version)).toEqual(VERSIONS);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('never shows the password: where, and errors when the server cannot be reached', async () => {
    const error = await caught(openStore({ url: 'postgres://bob:hunter2-secret@127.0.0.1:1/la', connectTimeoutMs: 2000 })); // secret-scan: allow (a fake password, checked absent from the error)
    expect(error.code).toBe('LA_DB_UNAVAILABLE');
    expect(error.category).toBe('transient');
    expect(error.message).toContain('postgres://bob:***@127.0.0.1:1/la');
    expect(error.message).toContain('cannot be reached');
    expect(error.suggestion).toContain('runs resume');
    expect(JSON.stringify(error.toJSON())).not.toContain('hunter2');
    const at = await newDatabase();
    const store = await openStore(at);
    expect(store.where).not.toContain('hunter2');
    await store.close();
  });

  it('numbers journal rows in one statement, or several in one transaction for a large batch', async () => {
    const store = await openStore(await newDatabase());
    await insertRuns(store.db, ['r1', 'r2']);
    expect(await store.appendEvents([journalRow('r1'), journalRow('r2'), journalRow('r1')])).toEqual([1, 1, 2]);
    const many = Array.from({ length: 1200 }, (_, i) => journalRow(i % 2 === 0 ? 'r1' : 'r2'));
    const seqs = await store.appendEvents(many);
    expect(seqs.slice(0, 4)).toEqual([3, 2, 4, 3]);
    expect(seqs.at(-1)).toBe(601);
    const rows = await store.db.selectFrom('run_events').select(['run_id', 'seq']).where('run_id', '=', 'r1').orderBy('seq').execute();
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 602 }, (_, i) => i + 1));
    // A large batch is all or nothing: one bad row and none of it is kept.
    const bad = [...Array.from({ length: 700 }, () => journalRow('r1')), journalRow('no-such-run')];
    await expect(store.appendEvents(bad)).rejects.toMatchObject({ code: 'LA_STORAGE' });
    expect(await store.db.selectFrom('run_events').select('seq').where('run_id', '=', 'r1').execute()).toHaveLength(602);
    await store.close();
  });

  it('gives up, saying why, when other writers win every try', async () => {
    const store = await openStore(await newDatabase());
    await insertRuns(store.db, ['r1']);
    const error = await caught(appendPostgres(store.db, [journalRow('r1')], 0));
    expect(error.code).toBe('LA_DB_LOCKED');
    expect(error.category).toBe('transient');
    await store.close();
  });

  it('fails clearly when the server ends the connection mid-write, and the next write reconnects', async () => {
    const at = await newDatabase();
    const store = await openStore(at);
    await insertRuns(store.db, ['r1']);
    expect(await store.appendEvents([journalRow('r1')])).toEqual([1]);
    const blocker = await lockRuns(at as { url: string; schema: string });
    try {
      // Caught from the start: the write may fail before terminateBlocked returns, and an
      // unobserved rejection in between would be reported as an unhandled error.
      const write = caught(store.appendEvents([journalRow('r1')]));
      // What a server shutdown does to a connection in the middle of a transaction.
      await blocker.terminateBlocked();
      const error = await write;
      expect(error.code).toBe('LA_DB_UNAVAILABLE');
      expect(error.category).toBe('transient');
      expect(error.message).toContain('cannot be reached');
    } finally {
      await blocker.release();
    }
    expect(await store.appendEvents([journalRow('r1')])).toEqual([2]);
    await store.close();
  });
});

/**
 * A second connection that locks the `runs` table, so a journal write waits on it and can be
 * ended by the server at a known moment (only the connections this one blocks are ended).
 */
async function lockRuns(at: { url: string; schema: string }): Promise<{ terminateBlocked(): Promise<void>; release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: at.url, options: `-c search_path=${at.schema}` });
  client.on('error', () => undefined);
  await client.connect();
  await client.query('begin');
  await client.query('lock table runs in exclusive mode');
  return {
    async terminateBlocked() {
      for (let i = 0; i < 500; i += 1) {
        const blocked = await client.query<{ pid: number }>('select pid from pg_stat_activity where pg_backend_pid() = any(pg_blocking_pids(pid))');
        if (blocked.rows.length > 0) {
          for (const row of blocked.rows) await client.query('select pg_terminate_backend($1)', [row.pid]);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error('the journal write never waited on the lock');
    },
    async release() {
      await client.query('rollback');
      await client.end();
    },
  };
}
