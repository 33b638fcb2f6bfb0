import { sql, type Kysely } from 'kysely';
import { StorageError } from '../core/errors/index.js';
import type { Database } from './Database.js';
import { createArchiveTables } from './migration3Archive.js';
import { createArchiveStats } from './migration5ArchiveStats.js';

/** The SQL dialects the store knows; migrations may differ by dialect where SQL does. */
export type StoreDialect = 'sqlite' | 'postgres';

/** One forward-only change to the schema. Versions are 1, 2, 3… with no gaps. */
export interface Migration {
  version: number;
  /** What it does, in a few words; recorded in the `migrations` table. */
  name: string;
  /**
   * Applies the change inside the migration transaction. `db` is untyped on purpose (Kysely's
   * advice): a migration describes the schema as it was at its version, not as `Database` is now.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: the historical schema has no type.
  up(db: Kysely<any>, dialect: StoreDialect): Promise<void>;
}

/** The migrations this LocalAgent knows, in order. Append only: never edit or remove one that shipped. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, run_events and results',
    async up(db, dialect) {
      await db.schema
        .createTable('runs')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('plan_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('plan_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('plan', 'text', (c) => c.notNull())
        .addColumn('title', 'varchar(300)', (c) => c.notNull())
        .addColumn('status', 'varchar(32)', (c) => c.notNull())
        .addColumn('workspace', 'text', (c) => c.notNull())
        .addColumn('seed', 'bigint', (c) => c.notNull())
        .addColumn('inputs', 'text', (c) => c.notNull())
        .addColumn('concurrency', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('owner_pid', 'integer')
        .addColumn('owner_host', 'varchar(255)')
        .addColumn('owner_token', 'varchar(64)')
        .addColumn('heartbeat_at', 'varchar(32)')
        .execute();
      await db.schema.createIndex('runs_created_at').on('runs').columns(['created_at', 'id']).execute();
      await db.schema.createIndex('runs_status_created_at').on('runs').columns(['status', 'created_at']).execute();

      let events = db.schema
        .createTable('run_events')
        .addColumn('run_id', 'varchar(64)', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('at', 'varchar(32)', (c) => c.notNull())
        .addColumn('type', 'varchar(40)', (c) => c.notNull())
        .addColumn('task_id', 'varchar(64)')
        .addColumn('attempt', 'integer')
        .addColumn('data', 'text')
        .addPrimaryKeyConstraint('run_events_pk', ['run_id', 'seq']);
      // SQLite keeps a rowid table plus a separate primary-key index unless told otherwise; one
      // B-tree instead of two makes each journal commit write fewer pages (~20 % faster appends).
      if (dialect === 'sqlite') events = events.modifyEnd(sql`without rowid`);
      await events.execute();

      await db.schema
        .createTable('results')
        .addColumn('run_id', 'varchar(64)', (c) => c.primaryKey().references('runs.id').onDelete('cascade'))
        .addColumn('status', 'varchar(32)', (c) => c.notNull())
        .addColumn('last', 'text', (c) => c.notNull())
        .addColumn('saved_at', 'varchar(32)', (c) => c.notNull())
        .execute();
    },
  },
  {
    version: 2,
    name: 'audit_events (copy of the security audit log)',
    async up(db) {
      // `log_id` names the audit log a row came from (the hash of its first entry), so several
      // homes sharing one PostgreSQL database keep separate chains; `entry` is the exact line of the
      // file, so the chain can be re-verified from the database alone.
      await db.schema
        .createTable('audit_events')
        .addColumn('log_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('time', 'varchar(32)', (c) => c.notNull())
        .addColumn('category', 'varchar(100)', (c) => c.notNull())
        .addColumn('action', 'varchar(100)', (c) => c.notNull())
        .addColumn('outcome', 'varchar(32)', (c) => c.notNull())
        .addColumn('actor', 'varchar(255)')
        .addColumn('subject', 'text')
        .addColumn('prev', 'varchar(64)', (c) => c.notNull())
        .addColumn('hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('entry', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('audit_events_pk', ['log_id', 'seq'])
        .execute();
      await db.schema.createIndex('audit_events_time').on('audit_events').columns(['time']).execute();
      await db.schema.createIndex('audit_events_category_action').on('audit_events').columns(['category', 'action', 'time']).execute();
    },
  },
  {
    version: 3,
    name: 'archive: plans, atlas records, feedback, model calls, full-text index',
    async up(db, dialect) {
      await createArchiveTables(db, dialect);
    },
  },
  {
    version: 4,
    name: 'api_tokens (HTTP API tokens, hashed)',
    async up(db) {
      // Only the SHA-256 of a token is kept; `id` is the public part of the token, looked up first.
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(100)', (c) => c.notNull())
        .addColumn('role', 'varchar(16)', (c) => c.notNull())
        .addColumn('hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('created_by', 'varchar(255)', (c) => c.notNull())
        .addColumn('expires_at', 'varchar(32)')
        .addColumn('revoked_at', 'varchar(32)')
        .addColumn('last_used_at', 'varchar(32)')
        .execute();
      await db.schema.createIndex('api_tokens_name').on('api_tokens').columns(['name']).execute();
    },
  },
  {
    version: 5,
    name: 'archive statistics kept up to date (by model, kind, plan and day)',
    async up(db, dialect) {
      await createArchiveStats(db, dialect);
    },
  },
];

/** Checks that versions run 1, 2, 3… so a gap or a duplicate is caught in tests, not in a user's database. */
function checkList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration "${m.name}" has version ${m.version}; expected ${i + 1}.`);
  });
}

/** What `migrate` did. */
export interface MigrationReport {
  /** The schema version before. */
  from: number;
  /** The schema version now: the newest this code knows. */
  version: number;
  /** The migrations this call applied (none when another process had applied them already). */
  applied: { version: number; name: string }[];
}

/**
 * Brings the database up to the newest migration this code knows, each migration applied once even
 * when several processes open a fresh database at the same moment. Returns the schema version.
 * A database already at a newer version (written by a newer LocalAgent) is refused untouched.
 */
export async function migrate(db: Kysely<Database>, dialect: StoreDialect, file: string, migrations: readonly Migration[] = MIGRATIONS): Promise<number> {
  return (await migrateWithReport(db, dialect, file, migrations)).version;
}

/** `migrate`, saying which migrations it applied. All of them commit together or not at all. */
export async function migrateWithReport(db: Kysely<Database>, dialect: StoreDialect, file: string, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationReport> {
  checkList(migrations);
  const latest = migrations.length;
  // SQLite: created before the transaction, so that the no-op write below has a table to lock.
  if (dialect === 'sqlite') await createMigrationsTable(db);
  return db.transaction().execute(async (trx) => {
    if (dialect === 'postgres') {
      // A lock held until commit, per schema: a second process starting at the same moment waits
      // here, then finds the migrations done. PostgreSQL's DDL is transactional, so the table is
      // created under the lock too (`if not exists` alone races on a fresh database).
      await sql`select pg_advisory_xact_lock(hashtext('localagent.migrate.' || current_schema()))`.execute(trx);
      await createMigrationsTable(trx);
    } else {
      // A write that changes nothing, first: it takes the write lock before the version is read, so a
      // second process opening the same fresh database waits here and then sees the migrations done.
      await trx.updateTable('migrations').set({ name: sql`name` }).where('version', '<', 0).execute();
    }
    const current = await appliedVersion(trx);
    if (current > latest) throw tooNew(file, current, latest);
    const applied: MigrationReport['applied'] = [];
    for (const migration of migrations.slice(current)) {
      await migration.up(trx, dialect);
      await trx.insertInto('migrations').values({ version: migration.version, name: migration.name, applied_at: new Date().toISOString() }).execute();
      applied.push({ version: migration.version, name: migration.name });
    }
    return { from: current, version: latest, applied };
  });
}

async function createMigrationsTable(db: Kysely<Database>): Promise<void> {
  await db.schema
    .createTable('migrations')
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('applied_at', 'varchar(32)', (c) => c.notNull())
    .execute();
}

async function appliedVersion(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('migrations')
    .select((eb) => eb.fn.max<number | null>('version').as('version'))
    .executeTakeFirst();
  return row?.version ?? 0;
}

function tooNew(file: string, current: number, latest: number): StorageError {
  return new StorageError({
    code: 'LA_DB_TOO_NEW',
    category: 'user',
    message: `The database ${file} was written by a newer LocalAgent (schema version ${current}); this LocalAgent knows versions up to ${latest} and will not touch it.`,
    suggestion: 'Upgrade LocalAgent, or point this one at another database (LOCALAGENT_HOME for SQLite, LOCALAGENT_DATABASE_URL for PostgreSQL).',
    details: { database: file, version: current, supported: latest },
  });
}

/** Where a database's schema stands, read without changing anything. */
export interface SchemaStatus {
  /** The newest migration applied (0 for an empty database). */
  version: number;
  /** The newest migration this code knows. */
  latest: number;
  /** `pending`: migrations are waiting (they run on the next start or `db migrate`); `too_new`: written by a newer LocalAgent. */
  state: 'up_to_date' | 'pending' | 'too_new';
  applied: { version: number; name: string; appliedAt: string }[];
  pending: { version: number; name: string }[];
}

/** Reads the applied migrations; a database without the `migrations` table is at version 0. */
export async function schemaStatus(db: Kysely<Database>, dialect: StoreDialect, migrations: readonly Migration[] = MIGRATIONS): Promise<SchemaStatus> {
  const present =
    dialect === 'postgres'
      ? (await sql<{ present: boolean }>`select to_regclass('migrations') is not null as present`.execute(db)).rows[0]?.present === true
      : (await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table' and name = 'migrations'`.execute(db)).rows[0]?.n === 1;
  const rows = present ? await db.selectFrom('migrations').selectAll().orderBy('version').execute() : [];
  const version = rows.reduce((max, row) => Math.max(max, row.version), 0);
  const latest = migrations.length;
  return {
    version,
    latest,
    state: version > latest ? 'too_new' : version < latest ? 'pending' : 'up_to_date',
    applied: rows.map((row) => ({ version: row.version, name: row.name, appliedAt: row.applied_at })),
    pending: migrations.slice(version).map((m) => ({ version: m.version, name: m.name })),
  };
}
