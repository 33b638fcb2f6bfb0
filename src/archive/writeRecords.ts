import { sql, type Insertable, type Kysely } from 'kysely';
import type { FieldCipher } from '../core/crypto/index.js';
import type { AtlasRecord } from '../formats/index.js';
import type { ArchivePlansTable, BulkInsert, BulkWriter, Database } from '../store/index.js';
import { feedbackValues, FEEDBACK_COLUMNS, FEEDBACK_TYPES, num, recordRunFacts, recordTaskFacts, RUN_COLUMNS, RUN_TYPES, runRow, runValues, TASK_COLUMNS, TASK_TYPES, taskValues } from './rows.js';
import type { SearchDocument } from './searchDocument.js';
import { StatsDelta, type RatingFacts, type RunFacts, type TaskFacts } from './statsDelta.js';
import { storedRatings, storedRuns, storedTasks, type StoredRun } from './storedFacts.js';
import { writeStatsDelta } from './writeStatsDelta.js';
import { chunked } from '../core/collections/index.js';
import { compareText } from '../core/text/index.js';

/** One run to archive: its record (feedback included), its index text, and its plan when known. */
export interface ArchiveItem {
  record: AtlasRecord;
  /** Made when written (a batch then never holds every run's index text at once). */
  document: () => SearchDocument;
  /** The plan row (its JSON already sealed when results are encrypted); only local runs have it. */
  plan?: Insertable<ArchivePlansTable> | undefined;
}

export interface WriteOptions {
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

const PLANS: BulkInsert = {
  table: 'archive_plans',
  columns: ['hash', 'plan_id', 'title', 'command', 'plan', 'created_at'],
  types: ['text', 'text', 'text', 'text', 'text', 'text'],
  conflict: 'on conflict (hash) do nothing',
};
const TASKS: BulkInsert = { table: 'atlas_tasks', columns: TASK_COLUMNS, types: TASK_TYPES };
const FEEDBACK: BulkInsert = { table: 'atlas_feedback', columns: FEEDBACK_COLUMNS, types: FEEDBACK_TYPES, conflict: 'on conflict (id) do nothing', returning: ['id'] };
const FTS: BulkInsert = { table: 'atlas_fts', columns: ['rowid', 'command', 'titles', 'outputs', 'errors'] };
// The weights let a query ask for one field (`title:word` is `'word':B`).
const TSVECTOR: BulkInsert = {
  table: 'atlas_search',
  columns: ['id', 'document'],
  row: {
    values: 5,
    text: ([id, command, titles, outputs, errors]) =>
      `(${id}, setweight(to_tsvector('simple', ${command}), 'A') || setweight(to_tsvector('simple', ${titles}), 'B') || setweight(to_tsvector('simple', ${outputs}), 'C') || setweight(to_tsvector('simple', ${errors}), 'D'))`,
  },
};

/** Rows per `in (…)` list. */
const LOOKUP_CHUNK = 500;

async function insertPlans(writer: BulkWriter, items: readonly ArchiveItem[]): Promise<void> {
  const plans = new Map<string, Insertable<ArchivePlansTable>>();
  for (const item of items) if (item.plan && !plans.has(item.plan.hash)) plans.set(item.plan.hash, item.plan);
  await writer.insert(
    PLANS,
    [...plans.values()].map((p) => [p.hash, p.plan_id, p.title, p.command ?? null, p.plan, p.created_at]),
  );
}

function* searchValues(rows: readonly { id: number; item: ArchiveItem }[]): Generator<unknown[]> {
  for (const { id, item } of rows) {
    const d = item.document();
    yield [id, d.command, d.titles, d.outputs, d.errors];
  }
}

async function insertSearchRows(writer: BulkWriter, rows: readonly { id: number; item: ArchiveItem }[]): Promise<void> {
  await writer.insert(writer.dialect === 'sqlite' ? FTS : TSVECTOR, searchValues(rows));
}

function* allTaskValues(records: Iterable<AtlasRecord>, sealed: boolean): Generator<unknown[]> {
  for (const record of records) yield* taskValues(record, sealed);
}

async function insertTasks(writer: BulkWriter, records: Iterable<AtlasRecord>, options: WriteOptions): Promise<void> {
  await writer.insert(TASKS, allTaskValues(records, options.cipher !== undefined));
}

function* freshRunValues(fresh: readonly { id: number; item: ArchiveItem }[], options: WriteOptions): Generator<unknown[]> {
  for (const { id, item } of fresh) {
    const values = runValues(item.record, options);
    values.unshift(id);
    yield values;
  }
}

/** Run id order: the order every writer locks runs in. */
function byRunId(a: ArchiveItem, b: ArchiveItem): number {
  return compareText(a.record.run_id, b.record.run_id);
}

function* records(rows: readonly { item: ArchiveItem }[]): Generator<AtlasRecord> {
  for (const { item } of rows) yield item.record;
}

/**
 * Stores the feedback entries of `items` that are not stored yet; resolves with the new ones, by
 * run. In run id order: each entry locks its run's row (the foreign key), and every writer locks
 * runs in that order.
 */
async function insertFeedback(writer: BulkWriter, items: readonly ArchiveItem[]): Promise<Map<string, RatingFacts[]>> {
  const added = new Map<string, RatingFacts[]>();
  const rows: unknown[][] = [];
  const byId = new Map<string, { run: string; rating: RatingFacts }>();
  for (const item of [...items].sort(byRunId)) {
    for (const entry of item.record.feedback) {
      const values = feedbackValues(item.record.run_id, entry);
      rows.push(values);
      byId.set(values[0] as string, { run: item.record.run_id, rating: { task_id: entry.task ?? null, rating: entry.rating } });
    }
  }
  if (rows.length === 0) return added;
  for (const { id } of await writer.insert<{ id: string }>(FEEDBACK, rows)) {
    const found = byId.get(id);
    if (found === undefined) continue;
    added.set(found.run, [...(added.get(found.run) ?? []), found.rating]);
  }
  return added;
}

/** Counts new ratings of runs that were stored before this write, with their stored tasks. */
async function countRatingsOfStoredRuns(writer: BulkWriter, db: Kysely<Database>, runs: readonly StoredRun[], ratings: ReadonlyMap<string, RatingFacts[]>, delta: StatsDelta): Promise<void> {
  const rated = runs.filter((run) => ratings.has(run.run_id));
  if (rated.length === 0) return;
  const tasks = await storedTasks(
    writer,
    db,
    rated.map((run) => run.run_id),
  );
  for (const run of rated) delta.ratings(run, tasks.get(run.run_id) ?? [], ratings.get(run.run_id) ?? [], 1);
}

/**
 * Archives runs that are not archived yet and leaves those that are (so importing a bundle twice
 * adds nothing the second time); feedback entries are merged by content; the statistics follow.
 * Runs inside the caller's `bulkWrite`, so a batch is stored whole or not at all. `db` only
 * compiles queries for the writer.
 */
export async function insertNew(writer: BulkWriter, db: Kysely<Database>, items: readonly ArchiveItem[], options: WriteOptions): Promise<WriteOutcome> {
  const unique = [...new Map(items.map((item) => [item.record.run_id, item])).values()];
  await insertPlans(writer, unique);
  let fresh: { id: number; item: ArchiveItem }[] = [];
  if (writer.dialect === 'sqlite') {
    // The transaction holds the write lock, so the next ids are known and the runs already archived
    // can be asked for first (cheaper than RETURNING).
    const { rows } = await writer.execute(db.selectFrom('atlas_runs').select((eb) => eb.fn.max<number | null>('id').as('id')).compile());
    let nextId = num(rows[0]?.id ?? 0) + 1;
    const present = new Set<string>();
    for (const part of chunked(unique, LOOKUP_CHUNK)) {
      const ids = part.map((item) => item.record.run_id);
      for (const row of (await writer.execute(db.selectFrom('atlas_runs').select('run_id').where('run_id', 'in', ids).compile())).rows) present.add(row.run_id);
    }
    fresh = unique.filter((item) => !present.has(item.record.run_id)).map((item) => ({ id: nextId++, item }));
    await writer.insert({ table: 'atlas_runs', columns: ['id', ...RUN_COLUMNS] }, freshRunValues(fresh, options));
  } else {
    // Other transactions may insert at the same time: the database says what it added. In run id
    // order, like every other lock taken here, so two imports of the same runs cannot deadlock.
    const byRun = new Map(unique.map((item) => [item.record.run_id, item]));
    const inserted = await writer.insert<{ id: number | string; run_id: string }>(
      { table: 'atlas_runs', columns: RUN_COLUMNS, types: RUN_TYPES, conflict: 'on conflict (run_id) do nothing', returning: ['id', 'run_id'] },
      [...unique].sort(byRunId).map((item) => runValues(item.record, options)),
    );
    fresh = inserted.map((row) => ({ id: num(row.id), item: byRun.get(row.run_id) as ArchiveItem }));
  }
  await insertTasks(writer, records(fresh), options);
  await insertSearchRows(writer, fresh);
  // Runs archived before that this batch brings feedback for: locked before the feedback goes in
  // (which would lock them more weakly first, and two importers upgrading at once deadlock), so
  // their tasks stay as read until the ratings are counted.
  const freshIds = new Set(fresh.map(({ item }) => item.record.run_id));
  const ratedBefore = unique.filter((item) => !freshIds.has(item.record.run_id) && item.record.feedback.length > 0).map((item) => item.record.run_id);
  const storedRated = ratedBefore.length === 0 ? [] : await storedRuns(writer, db, ratedBefore, true);
  const ratings = await insertFeedback(writer, unique);
  let feedbackAdded = 0;
  for (const added of ratings.values()) feedbackAdded += added.length;

  const delta = new StatsDelta();
  for (const { item } of fresh) {
    const run = recordRunFacts(item.record);
    const tasks = recordTaskFacts(item.record);
    delta.run(run, tasks, 1);
    const rated = ratings.get(item.record.run_id);
    if (rated !== undefined) {
      delta.ratings(run, tasks, rated, 1);
      ratings.delete(item.record.run_id);
    }
  }
  // What is left was rated in this bundle but archived before: its stored tasks decide the groups.
  await countRatingsOfStoredRuns(writer, db, storedRated, ratings, delta);
  await writeStatsDelta(writer, db, delta);
  return { added: fresh.length, skipped: unique.length - fresh.length, feedbackAdded };
}

/**
 * Archives one run, replacing its record, task rows and index entry when it was archived before
 * (a run derived again); its feedback stays, and the statistics take the old record out and the new
 * one in. Runs inside the caller's `bulkWrite`.
 */
export async function replaceOne(writer: BulkWriter, db: Kysely<Database>, item: ArchiveItem, options: WriteOptions): Promise<void> {
  const runId = item.record.run_id;
  const [existing] = await storedRuns(writer, db, [runId], true);
  if (!existing) {
    await insertNew(writer, db, [item], options);
    return;
  }
  const delta = new StatsDelta();
  const oldTasks = (await storedTasks(writer, db, [runId])).get(runId) ?? [];
  const oldRatings = (await storedRatings(writer, db, [runId])).get(runId) ?? [];
  delta.run(existing, oldTasks, -1);
  delta.ratings(existing, oldTasks, oldRatings, -1);

  await insertPlans(writer, [item]);
  await writer.execute(db.updateTable('atlas_runs').set(runRow(item.record, options)).where('id', '=', existing.id).compile());
  await writer.execute(db.deleteFrom('atlas_tasks').where('run_id', '=', runId).compile());
  await insertTasks(writer, [item.record], options);
  const searchRow = writer.dialect === 'sqlite' ? sql`delete from atlas_fts where rowid = ${existing.id}` : sql`delete from atlas_search where id = ${existing.id}`;
  await writer.execute(searchRow.compile(db));
  await insertSearchRows(writer, [{ id: existing.id, item }]);
  const added = (await insertFeedback(writer, [item])).get(runId) ?? [];

  const run: RunFacts = recordRunFacts(item.record);
  const tasks: TaskFacts[] = recordTaskFacts(item.record);
  delta.run(run, tasks, 1);
  delta.ratings(run, tasks, [...oldRatings, ...added], 1);
  await writeStatsDelta(writer, db, delta);
}
