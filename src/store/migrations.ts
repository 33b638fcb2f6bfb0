import { sql, type Kysely } from 'kysely';
import { StorageError } from '../core/errors/index.js';
import type { Database } from './Database.js';

/** The SQL dialects the store knows; migrations may differ by dialect where SQL does. */
export type StoreDialect = 'sqlite';

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
];

/** Checks that versions run 1, 2, 3… so a gap or a duplicate is caught in tests, not in a user's database. */
function checkList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration "${m.name}" has version ${m.version}; expected ${i + 1}.`);
  });
}

/**
 * Brings the database up to the newest migration this code knows, each migration applied once even
 * when several processes open a fresh database at the same moment. Returns the schema version.
 * A database already at a newer version (written by a newer LocalAgent) is refused untouched.
 */
export async function migrate(db: Kysely<Database>, dialect: StoreDialect, file: string, migrations: readonly Migration[] = MIGRATIONS): Promise<number> {
  checkList(migrations);
  const latest = migrations.length;
  await db.schema
    .createTable('migrations')
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('applied_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  return db.transaction().execute(async (trx) => {
    // A write that changes nothing, first: it takes the write lock before the version is read, so a
    // second process opening the same fresh database waits here and then sees the migrations done.
    // (PostgreSQL would use `lock table migrations in exclusive mode` here.)
    await trx.updateTable('migrations').set({ name: sql`name` }).where('version', '<', 0).execute();
    const row = await trx
      .selectFrom('migrations')
      .select((eb) => eb.fn.max<number | null>('version').as('version'))
      .executeTakeFirst();
    const current = row?.version ?? 0;
    if (current > latest) {
      throw new StorageError({
        code: 'LA_DB_TOO_NEW',
        category: 'user',
        message: `The database ${file} was written by a newer LocalAgent (schema version ${current}); this LocalAgent knows versions up to ${latest} and will not touch it.`,
        suggestion: 'Upgrade LocalAgent, or point this one at another home with LOCALAGENT_HOME.',
        details: { file, version: current, supported: latest },
      });
    }
    for (const migration of migrations.slice(current)) {
      await migration.up(trx, dialect);
      await trx.insertInto('migrations').values({ version: migration.version, name: migration.name, applied_at: new Date().toISOString() }).execute();
    }
    return latest;
  });
}
