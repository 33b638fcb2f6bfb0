import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../test/support/tempDir.js';
import { LocalAgentError } from '../core/errors/index.js';
import { MIGRATIONS, openStore, type Migration } from './index.js';

const tempDir = useTempDirs();

async function caught(promise: Promise<unknown>): Promise<LocalAgentError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LocalAgentError) return error;
    throw error;
  }
  throw new Error('expected a LocalAgentError');
}

describe('openStore and migrations', () => {
  it('creates a fresh database: WAL, foreign keys, private file, every table, version recorded', async () => {
    const file = join(await tempDir(), 'nested', 'localagent.db');
    const store = await openStore({ file });
    expect(store.version).toBe(MIGRATIONS.length);
    expect(store.dialect).toBe('sqlite');
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' order by name`.execute(store.db);
    expect(tables.rows.map((r) => r.name)).toEqual(['migrations', 'results', 'run_events', 'runs']);
    const migrations = await store.db.selectFrom('migrations').selectAll().execute();
    expect(migrations.map((m) => m.version)).toEqual([1]);
    expect((await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db)).rows[0]?.journal_mode).toBe('wal');
    expect((await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(store.db)).rows[0]?.foreign_keys).toBe(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await store.close();
    await store.close();
  });

  it('re-opens without applying anything twice, and applies a new migration forward', async () => {
    const file = join(await tempDir(), 'la.db');
    await (await openStore({ file })).close();
    const again = await openStore({ file });
    expect(await again.db.selectFrom('migrations').select('version').execute()).toEqual([{ version: 1 }]);
    await again.close();
    const next: Migration = {
      version: 2,
      name: 'add a notes table',
      async up(db) {
        await db.schema.createTable('notes').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
      },
    };
    const upgraded = await openStore({ file, migrations: [...MIGRATIONS, next] });
    expect(upgraded.version).toBe(2);
    expect((await upgraded.db.selectFrom('migrations').select('version').orderBy('version').execute()).map((r) => r.version)).toEqual([1, 2]);
    await upgraded.close();
  });

  it('refuses a database written by a newer LocalAgent, leaving it untouched', async () => {
    const file = join(await tempDir(), 'la.db');
    await (await openStore({ file })).close();
    const raw = new BetterSqlite3(file);
    raw.prepare("insert into migrations (version, name, applied_at) values (2, 'from the future', '2030-01-01T00:00:00.000Z')").run();
    raw.close();
    const error = await caught(openStore({ file }));
    expect(error.code).toBe('LA_DB_TOO_NEW');
    expect(error.category).toBe('user');
    expect(error.message).toContain('schema version 2');
    expect(error.message).toContain('up to 1');
    expect(error.suggestion).toMatch(/Upgrade LocalAgent/);
    const check = new BetterSqlite3(file);
    expect(check.prepare('select count(*) as n from migrations').get()).toEqual({ n: 2 });
    check.close();
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

  it('refuses a migration list with a gap (caught in tests, never in a user database)', async () => {
    const file = join(await tempDir(), 'la.db');
    const gap: Migration = { version: 3, name: 'gap', up: () => Promise.resolve() };
    await expect(openStore({ file, migrations: [...MIGRATIONS, gap] })).rejects.toThrow(/version 3; expected 2/);
  });

  it('writes journal rows with per-run sequence numbers, natively or through Kysely', async () => {
    for (const journalWrites of ['native', 'kysely'] as const) {
      const store = await openStore({ file: join(await tempDir(), 'la.db'), journalWrites });
      await store.db
        .insertInto('runs')
        .values(['r1', 'r2'].map((id) => ({ id, plan_id: 'p', plan_hash: 'h', plan: '{}', title: 't', status: 'running' as const, workspace: '/', seed: 1, inputs: '{}', concurrency: 1, created_at: 'x', updated_at: 'x', owner_pid: null, owner_host: null, owner_token: null, heartbeat_at: null })))
        .execute();
      const row = (run: string) => ({ run_id: run, at: '2025-01-01T00:00:00.000Z', type: 't', task_id: null, attempt: null, data: null });
      expect(await store.appendEvents([row('r1'), row('r2'), row('r1')])).toEqual([1, 1, 2]);
      expect(await store.appendEvents([row('r1')])).toEqual([3]);
      if (journalWrites === 'native') expect(store.appendEventsNow?.([row('r2')])).toEqual([2]);
      else expect(store.appendEventsNow).toBeUndefined();
      await store.close();
      expect(store.appendEventsNow?.([row('r2')])).toBeUndefined();
    }
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

  it('maps a failing journal write to a storage error', async () => {
    const store = await openStore({ file: join(await tempDir(), 'la.db') });
    const row = { run_id: 'no-such-run', at: 'x', type: 't', task_id: null, attempt: null, data: null };
    const error = await caught(store.appendEvents([row]));
    expect(error.code).toBe('LA_STORAGE');
    expect(error.message).toMatch(/FOREIGN KEY/);
    expect(() => store.appendEventsNow?.([row])).toThrow(/FOREIGN KEY/);
    await store.close();
  });
});
