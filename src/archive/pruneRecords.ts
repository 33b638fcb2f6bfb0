import type { Kysely } from 'kysely';
import type { BulkWriter, Database, RunStatus } from '../store/index.js';
import { StatsDelta } from './statsDelta.js';
import { runFacts, storedRatings, storedTasks } from './storedFacts.js';
import { writeStatsDelta } from './writeStatsDelta.js';
import { chunked } from '../core/collections/index.js';

/** What `pruneRecords` removed. */
export interface Pruned {
  archivedRuns: number;
  modelCalls: number;
  /** Ids of the finished runs removed (their `.last` files go too). */
  runIds: string[];
  plans: number;
}

/** Runs per `in (…)` list when removing by id. */
const DELETE_CHUNK = 500;
/** Doomed runs read (with their tasks and ratings) per step. */
const PAGE = 2000;

/**
 * Removes what finished before `before` (archived records with their tasks, feedback and index
 * entries; model calls; finished runs; plans no run uses) and takes the removed records out of the
 * statistics. Runs inside the caller's `bulkWrite`. On PostgreSQL, where other transactions write
 * at the same time, each page of doomed records is locked first (in run id order, as every writer
 * locks them) and then read and removed by id: what leaves the statistics is exactly what is removed.
 */
export async function pruneRecords(writer: BulkWriter, db: Kysely<Database>, before: string, finished: readonly RunStatus[], pageSize = PAGE): Promise<Pruned> {
  const delta = new StatsDelta();
  let archivedRuns = 0;
  // A page of doomed runs at a time (in run id order, the order every writer locks them), so a
  // prune of years holds one page's tasks and ratings in memory, not all of them; the delta itself
  // is per group, whatever the number of runs.
  let after = '';
  for (;;) {
    let page = db
      .selectFrom('atlas_runs')
      .select(['id', 'run_id', 'plan_hash', 'title', 'status', 'duration_ms', 'tokens_in', 'tokens_out', 'cost_usd', 'finished_at'])
      .where('finished_at', '<', before)
      .where('run_id', '>', after)
      .orderBy('run_id')
      .limit(pageSize);
    if (writer.dialect === 'postgres') page = page.forUpdate();
    const runs = (await writer.execute(page.compile())).rows.map(runFacts);
    if (runs.length === 0) break;
    const runIds = runs.map((run) => run.run_id);
    const tasks = await storedTasks(writer, db, runIds);
    const ratings = await storedRatings(writer, db, runIds);
    for (const run of runs) {
      const runTasks = tasks.get(run.run_id) ?? [];
      delta.run(run, runTasks, -1);
      delta.ratings(run, runTasks, ratings.get(run.run_id) ?? [], -1);
    }
    // On PostgreSQL other transactions write meanwhile: remove exactly what was counted, by id.
    if (writer.dialect === 'postgres') {
      for (const part of chunked(runIds, DELETE_CHUNK)) {
        archivedRuns += (await writer.execute(db.deleteFrom('atlas_runs').where('run_id', 'in', part).compile())).changes;
      }
    }
    after = runIds[runIds.length - 1] ?? after;
    if (runs.length < pageSize) break;
  }
  // The SQLite transaction holds the database: nothing came in since the runs were read.
  if (writer.dialect === 'sqlite') archivedRuns = (await writer.execute(db.deleteFrom('atlas_runs').where('finished_at', '<', before).compile())).changes;
  const calls = await writer.execute(db.deleteFrom('model_calls').where('at', '<', before).compile());
  const removedRuns = await writer.execute(db.deleteFrom('runs').where('status', 'in', finished).where('updated_at', '<', before).returning('id').compile());
  // `not in` reads each list once (no index on plan_hash, which would slow every ingest).
  const plans = await writer.execute(
    db
      .deleteFrom('archive_plans')
      .where('created_at', '<', before)
      .where('hash', 'not in', (eb) => eb.selectFrom('atlas_runs').select('atlas_runs.plan_hash'))
      .where('hash', 'not in', (eb) => eb.selectFrom('runs').select('runs.plan_hash'))
      .compile(),
  );
  await writeStatsDelta(writer, db, delta);
  return { archivedRuns, modelCalls: calls.changes, runIds: removedRuns.rows.map((r) => r.id), plans: plans.changes };
}
