import { createHash } from 'node:crypto';
import type { Insertable } from 'kysely';
import type { FieldCipher } from '../core/crypto/index.js';
import { canonicalJson } from '../core/json/index.js';
import type { AtlasFeedback, AtlasRecord } from '../formats/index.js';
import type { AtlasFeedbackTable, AtlasRunsTable } from '../store/index.js';

/**
 * A number from the database. PostgreSQL returns `bigint` columns and `count`/`sum` results as
 * strings (they may not fit a double); every figure here does.
 */
export function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** `num`, keeping SQL NULL as `null`. */
export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

/** The stored id of a feedback entry: the hash of what it says, so the same entry is stored once. */
export function feedbackId(runId: string, entry: AtlasFeedback): string {
  return createHash('sha256')
    .update(canonicalJson({ run: runId, task: entry.task ?? null, rating: entry.rating, comment: entry.comment ?? null, at: entry.at, by: entry.by ?? null }))
    .digest('hex');
}

export function runRow(record: AtlasRecord, options: { source: 'run' | 'import'; archivedAt: string; cipher?: FieldCipher | undefined }): Insertable<AtlasRunsTable> {
  // Feedback lives in its own table (it changes); the stored record is the derived part.
  const json = JSON.stringify({ ...record, feedback: [] });
  return {
    run_id: record.run_id,
    plan_hash: record.plan_hash,
    plan_id: record.plan_id,
    title: record.title,
    command: record.command ?? null,
    status: record.status,
    mode: record.mode,
    success_rate: record.success_rate,
    started_at: record.started_at,
    finished_at: record.finished_at,
    duration_ms: record.duration_ms,
    tasks: record.totals.tasks,
    succeeded: record.totals.succeeded,
    failed: record.totals.failed,
    tokens_in: record.totals.tokens_in,
    tokens_out: record.totals.tokens_out,
    cost_usd: record.totals.cost_usd,
    record: options.cipher ? options.cipher.seal(json) : json,
    source: options.source,
    archived_at: options.archivedAt,
  };
}

/** The columns of `atlas_tasks`, in the order `taskValues` gives them. */
export const TASK_COLUMNS = ['run_id', 'task_id', 'kind', 'status', 'success', 'model', 'provider', 'latency_ms', 'first_token_ms', 'tokens_in', 'tokens_out', 'cost_usd', 'error_code', 'attempts', 'finished_at'] as const;

/**
 * The `atlas_tasks` rows of a record as value lists in `TASK_COLUMNS` order, appended to `into`
 * (flat arrays, not objects: ingest builds hundreds of thousands of them).
 */
export function taskValues(record: AtlasRecord, into: unknown[][]): void {
  for (const t of record.tasks) {
    into.push([
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
    ]);
  }
}

export function feedbackRow(runId: string, entry: AtlasFeedback): AtlasFeedbackTable {
  return {
    id: feedbackId(runId, entry),
    run_id: runId,
    task_id: entry.task ?? null,
    rating: entry.rating,
    comment: entry.comment ?? null,
    at: entry.at,
    given_by: entry.by ?? null,
  };
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
