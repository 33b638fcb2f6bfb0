import type { Kysely } from 'kysely';
import type { AtlasFeedback } from '../formats/index.js';
import { runNotFound, type BulkWriter, type Database } from '../store/index.js';
import { taskNotInRun } from './errors.js';
import { FEEDBACK_COLUMNS, FEEDBACK_TYPES, feedbackValues } from './rows.js';
import { StatsDelta } from './statsDelta.js';
import { storedRuns, storedTasks } from './storedFacts.js';
import { writeStatsDelta } from './writeStatsDelta.js';

/**
 * Stores a rating of an archived run (or of one of its tasks) and counts it in the statistics of
 * the groups it applies to. Runs inside the caller's `bulkWrite`; the run's row is locked first
 * (PostgreSQL), so a run archived again at the same moment cannot move its tasks under the rating.
 * The same entry given twice is stored, and counted, once.
 */
export async function rateRun(writer: BulkWriter, db: Kysely<Database>, runId: string, entry: AtlasFeedback): Promise<void> {
  const [run] = await storedRuns(writer, db, [runId], true);
  if (!run) throw runNotFound(runId);
  const tasks = (await storedTasks(writer, db, [runId])).get(runId) ?? [];
  if (entry.task !== undefined && !tasks.some((t) => t.task_id === entry.task)) {
    throw taskNotInRun(
      runId,
      entry.task,
      tasks.map((t) => t.task_id),
    );
  }
  const added = await writer.insert({ table: 'atlas_feedback', columns: FEEDBACK_COLUMNS, types: FEEDBACK_TYPES, conflict: 'on conflict (id) do nothing', returning: ['id'] }, [feedbackValues(runId, entry)]);
  if (added.length === 0) return;
  const delta = new StatsDelta();
  delta.ratings(run, tasks, [{ task_id: entry.task ?? null, rating: entry.rating }], 1);
  await writeStatsDelta(writer, db, delta);
}
