import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { FieldCipher } from '../core/crypto/index.js';
import type { AtlasRecord } from '../formats/index.js';
import type { ArchivePlansTable, Database, StoreDialect } from '../store/index.js';
import { insertRows } from './insertRows.js';
import { feedbackRow, num, runRow, TASK_COLUMNS, taskValues } from './rows.js';
import type { SearchDocument } from './searchDocument.js';

/** One run to archive: its record (feedback included), its index text, and its plan when known. */
export interface ArchiveItem {
  record: AtlasRecord;
  document: SearchDocument;
  /** The plan row (its JSON already sealed when results are encrypted); only local runs have it. */
  plan?: Insertable<ArchivePlansTable> | undefined;
}

export interface WriteOptions {
  dialect: StoreDialect;
  source: 'run' | 'import';
  /** ISO-8601. */
  archivedAt: string;
  cipher?: FieldCipher | undefined;
}

/** What a write added. */
export interface WriteOutcome {
  /** Runs newly archived. */
  added: number;
  /** Runs that were archived already and were left as they were. */
  skipped: number;
  /** Feedback entries newly stored. */
  feedbackAdded: number;
}

// Rows per INSERT, well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const RUN_CHUNK = 500; // 21 columns
const TASK_CHUNK = 1000; // 15 columns
const SEARCH_CHUNK = 1000; // 5 values
const FEEDBACK_CHUNK = 2000; // 7 columns

const RUN_COLUMNS = [
  'run_id',
  'plan_hash',
  'plan_id',
  'title',
  'command',
  'status',
  'mode',
  'success_rate',
  'started_at',
  'finished_at',
  'duration_ms',
  'tasks',
  'succeeded',
  'failed',
  'tokens_in',
  'tokens_out',
  'cost_usd',
  'record',
  'source',
  'archived_at',
] as const;

/** A row object's values in `columns` order (absent ones as NULL). */
function valuesOf(row: object, columns: readonly string[]): unknown[] {
  const record = row as Record<string, unknown>;
  return columns.map((column) => record[column] ?? null);
}

async function insertTasks(trx: Transaction<Database>, dialect: StoreDialect, records: readonly AtlasRecord[]): Promise<void> {
  const rows: unknown[][] = [];
  for (const record of records) taskValues(record, rows);
  for (const part of chunks(rows, TASK_CHUNK)) await insertRows(trx, dialect, 'atlas_tasks', TASK_COLUMNS, part);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Runs `fn` in one transaction. On SQLite the transaction first makes a write that changes nothing,
 * which takes the database's write lock at once: another process writing at the same moment then
 * waits for this one (busy timeout) instead of failing this transaction halfway as stale.
 */
export async function writeTransaction<T>(db: Kysely<Database>, dialect: StoreDialect, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    if (dialect === 'sqlite') await trx.updateTable('atlas_runs').set({ id: sql`id` }).where('id', '<', 0).execute();
    return fn(trx);
  });
}

async function insertSearchRows(trx: Transaction<Database>, dialect: StoreDialect, rows: { id: number; document: SearchDocument }[]): Promise<void> {
  for (const part of chunks(rows, SEARCH_CHUNK)) {
    if (dialect === 'sqlite') {
      await insertRows(
        trx,
        dialect,
        'atlas_fts',
        ['rowid', 'command', 'titles', 'outputs', 'errors'],
        part.map(({ id, document: d }) => [id, d.command, d.titles, d.outputs, d.errors]),
      );
    } else {
      // The weights let a query ask for one field (`title:word` is `'word':B`).
      await sql`insert into atlas_search (id, document) values ${sql.join(
        part.map(
          ({ id, document: d }) =>
            sql`(${id}, setweight(to_tsvector('simple', ${d.command}), 'A') || setweight(to_tsvector('simple', ${d.titles}), 'B') || setweight(to_tsvector('simple', ${d.outputs}), 'C') || setweight(to_tsvector('simple', ${d.errors}), 'D'))`,
        ),
      )}`.execute(trx);
    }
  }
}

async function deleteSearchRow(trx: Transaction<Database>, dialect: StoreDialect, id: number): Promise<void> {
  if (dialect === 'sqlite') await sql`delete from atlas_fts where rowid = ${id}`.execute(trx);
  else await sql`delete from atlas_search where id = ${id}`.execute(trx);
}

async function insertPlans(trx: Transaction<Database>, items: readonly ArchiveItem[]): Promise<void> {
  const plans = new Map<string, Insertable<ArchivePlansTable>>();
  for (const item of items) if (item.plan && !plans.has(item.plan.hash)) plans.set(item.plan.hash, item.plan);
  for (const part of chunks([...plans.values()], RUN_CHUNK)) {
    await trx.insertInto('archive_plans').values(part).onConflict((oc) => oc.column('hash').doNothing()).execute();
  }
}

async function insertFeedback(trx: Transaction<Database>, items: readonly ArchiveItem[]): Promise<number> {
  const rows = items.flatMap((item) => item.record.feedback.map((entry) => feedbackRow(item.record.run_id, entry)));
  let added = 0;
  for (const part of chunks(rows, FEEDBACK_CHUNK)) {
    const inserted = await trx.insertInto('atlas_feedback').values(part).onConflict((oc) => oc.column('id').doNothing()).returning('id').execute();
    added += inserted.length;
  }
  return added;
}

/**
 * Archives runs that are not archived yet and leaves those that are (so importing a bundle twice
 * adds nothing the second time); feedback entries are merged by content. Call inside
 * `writeTransaction` so a batch is stored whole or not at all.
 */
export async function insertNew(trx: Transaction<Database>, items: readonly ArchiveItem[], options: WriteOptions): Promise<WriteOutcome> {
  const unique = [...new Map(items.map((item) => [item.record.run_id, item])).values()];
  await insertPlans(trx, unique);
  // SQLite: `writeTransaction` holds the write lock, so the next ids are known and the runs already
  // archived can be asked for first (cheaper than RETURNING, which was a quarter of the insert).
  // PostgreSQL: other transactions may insert at the same time, so the database says what it added.
  let nextId = options.dialect === 'sqlite' ? num((await trx.selectFrom('atlas_runs').select((eb) => eb.fn.max<number | null>('id').as('id')).executeTakeFirst())?.id ?? 0) + 1 : 0;
  let added = 0;
  for (const part of chunks(unique, RUN_CHUNK)) {
    let fresh: { id: number; item: ArchiveItem }[];
    if (options.dialect === 'sqlite') {
      const present = new Set(
        (await trx.selectFrom('atlas_runs').select('run_id').where('run_id', 'in', part.map((item) => item.record.run_id)).execute()).map((row) => row.run_id),
      );
      fresh = part.filter((item) => !present.has(item.record.run_id)).map((item) => ({ id: nextId++, item }));
      await insertRows(
        trx,
        options.dialect,
        'atlas_runs',
        ['id', ...RUN_COLUMNS],
        fresh.map(({ id, item }) => [id, ...valuesOf(runRow(item.record, options), RUN_COLUMNS)]),
      );
    } else {
      const byRun = new Map(part.map((item) => [item.record.run_id, item]));
      const inserted = await trx
        .insertInto('atlas_runs')
        .values(part.map((item) => runRow(item.record, options)))
        .onConflict((oc) => oc.column('run_id').doNothing())
        .returning(['id', 'run_id'])
        .execute();
      fresh = inserted.map((row) => ({ id: num(row.id), item: byRun.get(row.run_id) as ArchiveItem }));
    }
    added += fresh.length;
    await insertTasks(
      trx,
      options.dialect,
      fresh.map(({ item }) => item.record),
    );
    await insertSearchRows(
      trx,
      options.dialect,
      fresh.map(({ id, item }) => ({ id, document: item.document })),
    );
  }
  const feedbackAdded = await insertFeedback(trx, unique);
  return { added, skipped: unique.length - added, feedbackAdded };
}

/**
 * Archives one run, replacing its record, task rows and index entry when it was archived before
 * (a run derived again); its feedback stays. Call inside `writeTransaction`.
 */
export async function replaceOne(trx: Transaction<Database>, item: ArchiveItem, options: WriteOptions): Promise<void> {
  const existing = await trx.selectFrom('atlas_runs').select('id').where('run_id', '=', item.record.run_id).executeTakeFirst();
  if (!existing) {
    await insertNew(trx, [item], options);
    return;
  }
  const id = num(existing.id);
  await insertPlans(trx, [item]);
  await trx.updateTable('atlas_runs').set(runRow(item.record, options)).where('id', '=', id).execute();
  await trx.deleteFrom('atlas_tasks').where('run_id', '=', item.record.run_id).execute();
  await insertTasks(trx, options.dialect, [item.record]);
  await deleteSearchRow(trx, options.dialect, id);
  await insertSearchRows(trx, options.dialect, [{ id, document: item.document }]);
  await insertFeedback(trx, [item]);
}
