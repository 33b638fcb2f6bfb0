import { sql, type Kysely } from 'kysely';
import type { StoreDialect } from './migrations.js';

/**
 * Migration 3: the archive's tables (src/archive). Shipped migrations never change, so this file
 * describes the schema as it was at version 3 and is not edited afterwards; later changes are new
 * migrations.
 *
 * - `archive_plans`: each plan once, by hash.
 * - `atlas_runs`: one `.atlas` record per finished run, with the columns listings filter on.
 * - `atlas_tasks`: one row per task of an archived run, for statistics.
 * - `atlas_feedback`: people's ratings of runs and tasks.
 * - `model_calls`: every finished model call, the sliding window model selection learns from.
 * - the full-text index over commands, titles, task outputs and errors: an FTS5 table on SQLite,
 *   a `tsvector` column with a GIN index on PostgreSQL. Both are keyed by `atlas_runs.id`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration describes the historical schema, which has no type.
export async function createArchiveTables(db: Kysely<any>, dialect: StoreDialect): Promise<void> {
  // SQLite's `integer primary key` is the row id (assigned on insert); PostgreSQL needs `serial`.
  const idType = dialect === 'sqlite' ? 'integer' : 'serial';

  await db.schema
    .createTable('archive_plans')
    .addColumn('hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('plan_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('title', 'varchar(300)', (c) => c.notNull())
    .addColumn('command', 'text')
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('atlas_runs')
    .addColumn('id', idType, (c) => c.primaryKey())
    .addColumn('run_id', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('plan_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('plan_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('title', 'varchar(300)', (c) => c.notNull())
    .addColumn('command', 'text')
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('mode', 'varchar(16)', (c) => c.notNull())
    .addColumn('success_rate', 'double precision', (c) => c.notNull())
    .addColumn('started_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('finished_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('duration_ms', 'bigint', (c) => c.notNull())
    .addColumn('tasks', 'integer', (c) => c.notNull())
    .addColumn('succeeded', 'integer', (c) => c.notNull())
    .addColumn('failed', 'integer', (c) => c.notNull())
    .addColumn('tokens_in', 'bigint', (c) => c.notNull())
    .addColumn('tokens_out', 'bigint', (c) => c.notNull())
    .addColumn('cost_usd', 'double precision', (c) => c.notNull())
    .addColumn('record', 'text', (c) => c.notNull())
    .addColumn('source', 'varchar(16)', (c) => c.notNull())
    .addColumn('archived_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  // Few indexes on purpose: every one costs each ingested record. Search goes through the full-text
  // index (then filters on this row), statistics through atlas_tasks' covering indexes.
  await db.schema.createIndex('atlas_runs_finished_at').on('atlas_runs').columns(['finished_at', 'id']).execute();

  let tasks = db.schema
    .createTable('atlas_tasks')
    .addColumn('run_id', 'varchar(64)', (c) => c.notNull().references('atlas_runs.run_id').onDelete('cascade'))
    .addColumn('task_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('success', 'integer', (c) => c.notNull())
    .addColumn('model', 'varchar(128)')
    .addColumn('provider', 'varchar(64)')
    .addColumn('latency_ms', 'bigint')
    .addColumn('first_token_ms', 'bigint')
    .addColumn('tokens_in', 'bigint', (c) => c.notNull())
    .addColumn('tokens_out', 'bigint', (c) => c.notNull())
    .addColumn('cost_usd', 'double precision', (c) => c.notNull())
    .addColumn('error_code', 'varchar(64)')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('finished_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('atlas_tasks_pk', ['run_id', 'task_id']);
  // One B-tree instead of a row-id table plus its primary-key index.
  if (dialect === 'sqlite') tasks = tasks.modifyEnd(sql`without rowid`);
  await tasks.execute();
  // A covering index for `archive stats --by model` (what model selection is about): the sums are
  // read from the index alone, and within (model, success = 1) the entries are in latency order, so
  // a percentile is one seek. Only AI tasks have a model, so it holds a fraction of the rows. Other
  // groupings scan: an index per grouping would cost every ingest (one by kind cost 40 % of the
  // task rows' insert time).
  await db.schema
    .createIndex('atlas_tasks_model_stats')
    .on('atlas_tasks')
    .columns(['model', 'success', 'latency_ms', 'tokens_in', 'tokens_out', 'cost_usd'])
    .where(sql.ref('model'), 'is not', null)
    .execute();

  await db.schema
    .createTable('atlas_feedback')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('run_id', 'varchar(64)', (c) => c.notNull().references('atlas_runs.run_id').onDelete('cascade'))
    .addColumn('task_id', 'varchar(64)')
    .addColumn('rating', 'integer', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('at', 'varchar(32)', (c) => c.notNull())
    .addColumn('given_by', 'varchar(255)')
    .execute();
  await db.schema.createIndex('atlas_feedback_run').on('atlas_feedback').columns(['run_id', 'at']).execute();

  await db.schema
    .createTable('model_calls')
    .addColumn('id', idType, (c) => c.primaryKey())
    .addColumn('task_kind', 'varchar(64)', (c) => c.notNull())
    .addColumn('model', 'varchar(128)', (c) => c.notNull())
    .addColumn('success', 'integer', (c) => c.notNull())
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .addColumn('first_token_ms', 'integer')
    .addColumn('tokens_in', 'integer', (c) => c.notNull())
    .addColumn('tokens_out', 'integer', (c) => c.notNull())
    .addColumn('cost_usd', 'double precision', (c) => c.notNull())
    .addColumn('error_code', 'varchar(64)')
    .addColumn('at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('model_calls_series').on('model_calls').columns(['task_kind', 'model', 'at']).execute();
  await db.schema.createIndex('model_calls_at').on('model_calls').columns(['at']).execute();

  if (dialect === 'sqlite') {
    // Contentless: the text lives in the .last and the record, not a third time here. The rowid is
    // atlas_runs.id; contentless_delete lets a run's entry be removed by rowid alone. Diacritics are
    // kept, as PostgreSQL's `simple` configuration keeps them, so a query finds the same runs on both.
    await sql`create virtual table atlas_fts using fts5(command, titles, outputs, errors, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0')`.execute(db);
    await sql`create trigger atlas_runs_fts_delete after delete on atlas_runs begin delete from atlas_fts where rowid = old.id; end`.execute(db);
  } else {
    await sql`create table atlas_search (id integer primary key references atlas_runs (id) on delete cascade, document tsvector not null)`.execute(db);
    await sql`create index atlas_search_document on atlas_search using gin (document)`.execute(db);
  }
}
