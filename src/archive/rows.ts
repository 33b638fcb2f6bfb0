import { createHash } from 'node:crypto';
import type { Insertable } from 'kysely';
import type { FieldCipher } from '../core/crypto/index.js';
import { canonicalJson } from '../core/json/index.js';
import type { AtlasFeedback, AtlasRecord } from '../formats/index.js';
import type { AtlasFeedbackTable, AtlasRunsTable } from '../store/index.js';
import type { RunFacts, TaskFacts } from './statsDelta.js';

/**
 * A number from the database. PostgreSQL returns `bigint` columns and `count`/`sum` results as
 * strings (they may not fit a double); every figure here does.
 */
export function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** The stored id of a feedback entry: the hash of what it says, so the same entry is stored once. */
export function feedbackId(runId: string, entry: AtlasFeedback): string {
  return createHash('sha256')
    .update(canonicalJson({ run: runId, task: entry.task ?? null, rating: entry.rating, comment: entry.comment ?? null, at: entry.at, by: entry.by ?? null }))
    .digest('hex');
}

/**
 * The stored `.atlas` record: '' when the columns hold it all (`recordFromRows` puts it back
 * together); with a cipher, the JSON sealed (feedback left out: it lives in its own table, and
 * changes), since the task titles are then kept out of the columns.
 */
function storedRecord(record: AtlasRecord, cipher: FieldCipher | undefined): string {
  return cipher ? cipher.seal(JSON.stringify({ ...record, feedback: [] })) : '';
}

/** The columns of `atlas_runs` but `id`, in the order `runValues` gives them. */
export const RUN_COLUMNS = [
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
  'chaos_level',
] as const;

/** PostgreSQL's types of `RUN_COLUMNS` (for `BulkInsert.types`). */
export const RUN_TYPES = ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'float8', 'text', 'text', 'int8', 'int4', 'int4', 'int4', 'int8', 'int8', 'float8', 'text', 'text', 'text', 'int4'] as const;

/** The `atlas_runs` row of a record as a value list in `RUN_COLUMNS` order (ingest builds one per record). */
export function runValues(record: AtlasRecord, options: { source: 'run' | 'import'; archivedAt: string; cipher?: FieldCipher | undefined }): unknown[] {
  const totals = record.totals;
  return [
    record.run_id,
    record.plan_hash,
    record.plan_id,
    record.title,
    record.command ?? null,
    record.status,
    record.mode,
    record.success_rate,
    record.started_at,
    record.finished_at,
    record.duration_ms,
    totals.tasks,
    totals.succeeded,
    totals.failed,
    totals.tokens_in,
    totals.tokens_out,
    totals.cost_usd,
    storedRecord(record, options.cipher),
    options.source,
    options.archivedAt,
    record.chaos_level ?? null,
  ];
}

/** The same row as an object, for an UPDATE of a run archived again. */
export function runRow(record: AtlasRecord, options: { source: 'run' | 'import'; archivedAt: string; cipher?: FieldCipher | undefined }): Insertable<AtlasRunsTable> {
  const values = runValues(record, options);
  return Object.fromEntries(RUN_COLUMNS.map((column, i) => [column, values[i]])) as unknown as Insertable<AtlasRunsTable>;
}

/** The columns of `atlas_tasks`, in the order `taskValues` gives them. */
export const TASK_COLUMNS = [
  'run_id',
  'task_id',
  'kind',
  'status',
  'success',
  'model',
  'provider',
  'latency_ms',
  'first_token_ms',
  'tokens_in',
  'tokens_out',
  'cost_usd',
  'error_code',
  'attempts',
  'finished_at',
  'position',
  'title',
  'given',
] as const;

/** PostgreSQL's types of `TASK_COLUMNS`. */
export const TASK_TYPES = ['text', 'text', 'text', 'text', 'int4', 'text', 'text', 'int8', 'int8', 'int8', 'int8', 'float8', 'text', 'int4', 'text', 'int4', 'text', 'int4'] as const;

/** `atlas_tasks.given`: the record gave the task's tokens. */
export const GAVE_TOKENS = 1;
/** `atlas_tasks.given`: the record gave the task's cost. */
export const GAVE_COST = 2;

/**
 * The `atlas_tasks` rows of a record as value lists in `TASK_COLUMNS` order (flat arrays, not
 * objects: ingest makes hundreds of thousands of them). `sealed`: the record is stored sealed, so
 * the titles stay out of the columns.
 */
export function* taskValues(record: AtlasRecord, sealed: boolean): Generator<unknown[]> {
  for (let i = 0; i < record.tasks.length; i += 1) {
    const t = record.tasks[i] as AtlasRecord['tasks'][number];
    yield [
      record.run_id,
      t.id,
      t.kind,
      t.status,
      t.success ? 1 : 0,
      t.model ?? null,
      t.provider ?? null,
      t.latency_ms ?? null,
      t.first_token_ms ?? null,
      t.tokens?.input ?? 0,
      t.tokens?.output ?? 0,
      t.cost_usd ?? 0,
      t.error_code ?? null,
      t.attempts,
      record.finished_at,
      i,
      sealed ? null : (t.title ?? null),
      (t.tokens ? GAVE_TOKENS : 0) | (t.cost_usd !== undefined ? GAVE_COST : 0),
    ];
  }
}

/** What statistics count of a record's run. */
export function recordRunFacts(record: AtlasRecord): RunFacts {
  const totals = record.totals;
  return {
    plan_hash: record.plan_hash,
    title: record.title,
    status: record.status,
    duration_ms: record.duration_ms,
    tokens_in: totals.tokens_in,
    tokens_out: totals.tokens_out,
    cost_usd: totals.cost_usd,
    finished_at: record.finished_at,
  };
}

/** What statistics count of a record's tasks: the values `taskValues` stores. */
export function recordTaskFacts(record: AtlasRecord): TaskFacts[] {
  return record.tasks.map((t) => ({
    task_id: t.id,
    kind: t.kind,
    model: t.model ?? null,
    success: t.success,
    latency_ms: t.latency_ms ?? null,
    tokens_in: t.tokens?.input ?? 0,
    tokens_out: t.tokens?.output ?? 0,
    cost_usd: t.cost_usd ?? 0,
  }));
}

/** The columns of `atlas_feedback`, in the order `feedbackValues` gives them. */
export const FEEDBACK_COLUMNS = ['id', 'run_id', 'task_id', 'rating', 'comment', 'at', 'given_by'] as const;

/** PostgreSQL's types of `FEEDBACK_COLUMNS`. */
export const FEEDBACK_TYPES = ['text', 'text', 'text', 'int4', 'text', 'text', 'text'] as const;

/** A feedback row as a value list in `FEEDBACK_COLUMNS` order; its id first. */
export function feedbackValues(runId: string, entry: AtlasFeedback): unknown[] {
  return [feedbackId(runId, entry), runId, entry.task ?? null, entry.rating, entry.comment ?? null, entry.at, entry.by ?? null];
}

/** A stored feedback row back as the record's entry. */
export function feedbackEntry(row: Pick<AtlasFeedbackTable, 'task_id' | 'rating' | 'comment' | 'at' | 'given_by'>): AtlasFeedback {
  return {
    rating: num(row.rating),
    ...(row.comment !== null ? { comment: row.comment } : {}),
    ...(row.task_id !== null ? { task: row.task_id } : {}),
    at: row.at,
    ...(row.given_by !== null ? { by: row.given_by } : {}),
  };
}
