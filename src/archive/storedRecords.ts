import type { Kysely, Selectable } from 'kysely';
import type { AtlasRecord, AtlasRunStatus, AtlasTask, AtlasTaskStatus } from '../formats/index.js';
import type { AtlasRunsTable, AtlasTasksTable, Database } from '../store/index.js';
import { GAVE_COST, GAVE_TOKENS, num } from './rows.js';
import { chunked } from '../core/collections/index.js';

/** The columns of `atlas_runs` a record is read from. */
export const RECORD_COLUMNS = [
  'run_id',
  'plan_id',
  'plan_hash',
  'title',
  'command',
  'status',
  'mode',
  'chaos_level',
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
] as const;

export type RecordRow = Pick<Selectable<AtlasRunsTable>, (typeof RECORD_COLUMNS)[number]>;

type TaskRow = Pick<
  Selectable<AtlasTasksTable>,
  'run_id' | 'task_id' | 'kind' | 'title' | 'status' | 'success' | 'model' | 'provider' | 'latency_ms' | 'first_token_ms' | 'tokens_in' | 'tokens_out' | 'cost_usd' | 'error_code' | 'attempts' | 'given'
>;

const CHUNK = 500;

function taskOf(row: TaskRow): AtlasTask {
  const given = num(row.given ?? 0);
  return {
    id: row.task_id,
    kind: row.kind as AtlasTask['kind'],
    ...(row.title !== null ? { title: row.title } : {}),
    status: row.status as AtlasTaskStatus,
    success: num(row.success) === 1,
    ...(row.model !== null ? { model: row.model } : {}),
    ...(row.provider !== null ? { provider: row.provider } : {}),
    ...(row.latency_ms !== null ? { latency_ms: num(row.latency_ms) } : {}),
    ...(row.first_token_ms !== null ? { first_token_ms: num(row.first_token_ms) } : {}),
    ...((given & GAVE_TOKENS) !== 0 ? { tokens: { input: num(row.tokens_in), output: num(row.tokens_out) } } : {}),
    ...((given & GAVE_COST) !== 0 ? { cost_usd: num(row.cost_usd) } : {}),
    ...(row.error_code !== null ? { error_code: row.error_code } : {}),
    attempts: num(row.attempts),
  };
}

/** A record put back together from its run's row and its tasks' rows (in plan order); feedback empty. */
export function recordFromRows(run: RecordRow, tasks: readonly TaskRow[]): AtlasRecord {
  return {
    atlas: 1,
    run_id: run.run_id,
    plan_id: run.plan_id,
    plan_hash: run.plan_hash,
    title: run.title,
    ...(run.command !== null ? { command: run.command } : {}),
    status: run.status as AtlasRunStatus,
    mode: run.mode as AtlasRecord['mode'],
    ...(run.chaos_level !== null ? { chaos_level: num(run.chaos_level) } : {}),
    success_rate: num(run.success_rate),
    started_at: run.started_at,
    finished_at: run.finished_at,
    duration_ms: num(run.duration_ms),
    tasks: tasks.map(taskOf),
    totals: { tasks: num(run.tasks), succeeded: num(run.succeeded), failed: num(run.failed), tokens_in: num(run.tokens_in), tokens_out: num(run.tokens_out), cost_usd: num(run.cost_usd) },
    feedback: [],
  };
}

/**
 * The records of `rows` (feedback empty), by run id: put back together from the columns where the
 * record is not stored (''), else parsed from the stored JSON, opened by `open`; `undefined` for a
 * sealed one that `open` cannot open.
 */
export async function storedRecords(db: Kysely<Database>, rows: readonly RecordRow[], open: (text: string) => string | undefined): Promise<Map<string, AtlasRecord | undefined>> {
  const out = new Map<string, AtlasRecord | undefined>();
  const rebuilt = rows.filter((row) => row.record === '');
  const tasks = new Map<string, TaskRow[]>();
  for (const part of chunked(rebuilt, CHUNK)) {
    const found = await db
      .selectFrom('atlas_tasks')
      .select(['run_id', 'task_id', 'kind', 'title', 'status', 'success', 'model', 'provider', 'latency_ms', 'first_token_ms', 'tokens_in', 'tokens_out', 'cost_usd', 'error_code', 'attempts', 'given'])
      .where(
        'run_id',
        'in',
        part.map((row) => row.run_id),
      )
      .orderBy('run_id')
      .orderBy('position')
      .execute();
    for (const task of found) {
      const list = tasks.get(task.run_id);
      if (list === undefined) tasks.set(task.run_id, [task]);
      else list.push(task);
    }
  }
  for (const row of rows) {
    if (row.record === '') {
      out.set(row.run_id, recordFromRows(row, tasks.get(row.run_id) ?? []));
      continue;
    }
    const text = open(row.record);
    out.set(row.run_id, text === undefined ? undefined : (JSON.parse(text) as AtlasRecord));
  }
  return out;
}
