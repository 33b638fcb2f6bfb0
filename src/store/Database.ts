/**
 * The database's tables as Kysely sees them. Column types are portable SQL (`varchar`, `text`,
 * `integer`): JSON is stored as text and times as ISO-8601 text, so the same schema works on
 * SQLite and PostgreSQL. (`bigint` columns come back from PostgreSQL as strings: read them with
 * `Number()`.)
 */

import type { Generated } from 'kysely';

/** One applied migration. */
export interface MigrationsTable {
  version: number;
  name: string;
  /** ISO-8601. */
  applied_at: string;
}

/** Where a run stands. `pending` and `running` are live; `waiting_approval` is paused; the rest are final. */
export type RunStatus = 'pending' | 'running' | 'waiting_approval' | 'success' | 'partial' | 'failure' | 'cancelled';

export const RUN_STATUSES: readonly RunStatus[] = ['pending', 'running', 'waiting_approval', 'success', 'partial', 'failure', 'cancelled'];

/** One run of a plan. */
export interface RunsTable {
  id: string;
  plan_id: string;
  /** SHA-256 (hex) of the plan's canonical JSON. */
  plan_hash: string;
  /** The validated plan, as JSON. */
  plan: string;
  /** The plan's title, for listings. */
  title: string;
  status: RunStatus;
  /** The workspace root (a real path). */
  workspace: string;
  /** The seed for everything random in the run. */
  seed: number;
  /** The run's inputs (the plan's, overridden by those given at start), as JSON. */
  inputs: string;
  /** How many tasks may run at once, as given at start. */
  concurrency: number;
  /** ISO-8601. */
  created_at: string;
  /** ISO-8601; changes with the status and the lease. */
  updated_at: string;
  /** The lease: which process runs it now (all null when nobody does). */
  owner_pid: number | null;
  owner_host: string | null;
  /** Random per acquisition, so two runners in one process cannot mistake each other's lease. */
  owner_token: string | null;
  /** ISO-8601: the owner's last sign of life. */
  heartbeat_at: string | null;
}

/** The durable journal: every state change of a run, in order. */
export interface RunEventsTable {
  run_id: string;
  /** 1, 2, 3… per run, assigned in the transaction that writes the event. */
  seq: number;
  /** ISO-8601. */
  at: string;
  type: string;
  task_id: string | null;
  attempt: number | null;
  /** The event's data, as JSON. */
  data: string | null;
}

/** The `.last` result of a run (the latest one: a paused run's snapshot is replaced when it ends). */
export interface ResultsTable {
  run_id: string;
  status: string;
  /** The `.last` document, as JSON. */
  last: string;
  /** ISO-8601. */
  saved_at: string;
}

/** A copy of one security audit log entry; the JSON Lines file stays the source of truth. */
export interface AuditEventsTable {
  /** Which audit log the entry belongs to: the hash of that log's first entry. */
  log_id: string;
  /** The entry's position in its log (1, 2, 3…). */
  seq: number;
  /** ISO-8601, as in the entry. */
  time: string;
  category: string;
  action: string;
  outcome: string;
  actor: string | null;
  subject: string | null;
  /** The previous entry's hash (64 zeros for the first). */
  prev: string;
  /** SHA-256 (hex) of the entry without its hash. */
  hash: string;
  /** The entry's canonical JSON: the exact line of the file, so the chain can be re-verified here. */
  entry: string;
}

/** A plan the archive has seen, once per hash (the archive's tables start here; migration 3). */
export interface ArchivePlansTable {
  /** SHA-256 (hex) of the plan's canonical JSON. */
  hash: string;
  plan_id: string;
  title: string;
  /** The plain-language command it came from, if any. */
  command: string | null;
  /** The plan as JSON (sealed when results are encrypted at rest). */
  plan: string;
  /** ISO-8601: when the archive first saw it. */
  created_at: string;
}

/** One archived run: the `.atlas` record and the columns searches and listings filter on. */
export interface AtlasRunsTable {
  /** Assigned by the database; also the row id of the run's full-text entry. */
  id: Generated<number>;
  run_id: string;
  plan_hash: string;
  plan_id: string;
  title: string;
  command: string | null;
  status: string;
  mode: string;
  success_rate: number;
  /** ISO-8601. */
  started_at: string;
  /** ISO-8601. */
  finished_at: string;
  duration_ms: number;
  tasks: number;
  succeeded: number;
  failed: number;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  /** Only for `mode: chaos` (migration 5). */
  chaos_level: number | null;
  /**
   * The `.atlas` record as JSON, feedback left out (it lives in `atlas_feedback`), when it cannot be
   * put back together from the columns: sealed, when results are encrypted; or archived before
   * migration 5. Otherwise '' (`position`, `title` and `given` of its tasks hold the rest).
   */
  record: string;
  /** `run`: derived here from a finished run; `import`: from a bundle. */
  source: string;
  /** ISO-8601: when it was archived. */
  archived_at: string;
}

/** One task of an archived run: what statistics group and aggregate. */
export interface AtlasTasksTable {
  run_id: string;
  task_id: string;
  kind: string;
  status: string;
  /** 1 when the task succeeded, else 0. */
  success: number;
  model: string | null;
  provider: string | null;
  latency_ms: number | null;
  first_token_ms: number | null;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  error_code: string | null;
  attempts: number;
  /** ISO-8601: the run's end (what `--since` and the per-day statistics use). */
  finished_at: string;
  /** The task's place in the plan, from 0 (migration 5; null in rows from before, whose run keeps its record JSON). */
  position: number | null;
  /** The task's title, when the plan gave one (null when the record is stored sealed). */
  title: string | null;
  /** Which optional figures the record gave: 1 tokens, 2 cost (the columns hold 0 for absent ones). */
  given: number | null;
}

/** A person's judgement of a run or one task (`localagent feedback`). */
export interface AtlasFeedbackTable {
  /** SHA-256 of the entry's content, so importing the same feedback twice adds it once. */
  id: string;
  run_id: string;
  task_id: string | null;
  rating: number;
  comment: string | null;
  /** ISO-8601. */
  at: string;
  /** Who gave it (the login name), when known. */
  given_by: string | null;
}

/** The grouping of an `atlas_stats` row: what `archive stats --by` takes. */
export type StatsGroupingName = 'model' | 'kind' | 'plan' | 'day';

/**
 * One group's statistics, kept up to date with every write to the archive (migration 5): the sums
 * over its tasks (runs, by plan) and over the ratings that apply to it.
 */
export interface AtlasStatsTable {
  /** Names the group in `atlas_stats_latency`. */
  id: Generated<number>;
  grouping: StatsGroupingName;
  /** The model id, task kind, plan hash or day (`YYYY-MM-DD`, UTC). */
  key: string;
  /** Tasks (runs, by plan). */
  n: number;
  /** Of which succeeded (by plan: runs with status `success`). */
  ok: number;
  /** Of which have a latency: how many values the latency percentiles rank. */
  timed: number;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  /** Ratings that apply (a run's to each group its tasks are in, a task's to its group), and their sum. */
  ratings: number;
  rating_sum: number;
}

/** How many successful tasks (runs, by plan) of a group took a latency (level 0) or fell in a bucket (level 1, `latencyBucket`). */
export interface AtlasStatsLatencyTable {
  /** `atlas_stats.id` of the group. */
  stat_id: number;
  /** 0: `value` is a latency in ms; 1: a bucket number. */
  level: number;
  value: number;
  n: number;
}

/** How many archived runs of a plan carry a title (statistics by plan show the greatest). */
export interface AtlasStatsTitlesTable {
  plan_hash: string;
  title: string;
  runs: number;
}

/** One finished model call, as model selection learns from it (`ModelStats.record`). */
export interface ModelCallsTable {
  id: Generated<number>;
  task_kind: string;
  model: string;
  /** 1 when the call answered, else 0. */
  success: number;
  latency_ms: number;
  first_token_ms: number | null;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  error_code: string | null;
  /** ISO-8601. */
  at: string;
}

/** An HTTP API token (the gateway's); the token itself is never stored, only its SHA-256. */
export interface ApiTokensTable {
  /** The token's public id (also its first part after `la_tok_`). */
  id: string;
  /** A label a person chose; unique among tokens not revoked. */
  name: string;
  /** `admin`, `operator` or `viewer`. */
  role: string;
  /** SHA-256 (hex) of the whole token. */
  hash: string;
  /** ISO-8601. */
  created_at: string;
  /** Who created it (an OS user, or a token's principal). */
  created_by: string;
  /** ISO-8601; null: never expires. */
  expires_at: string | null;
  /** ISO-8601; null: in force. */
  revoked_at: string | null;
  /** ISO-8601, updated at most once a minute. */
  last_used_at: string | null;
}

export interface Database {
  migrations: MigrationsTable;
  runs: RunsTable;
  run_events: RunEventsTable;
  results: ResultsTable;
  audit_events: AuditEventsTable;
  archive_plans: ArchivePlansTable;
  atlas_runs: AtlasRunsTable;
  atlas_tasks: AtlasTasksTable;
  atlas_feedback: AtlasFeedbackTable;
  model_calls: ModelCallsTable;
  api_tokens: ApiTokensTable;
  atlas_stats: AtlasStatsTable;
  atlas_stats_latency: AtlasStatsLatencyTable;
  atlas_stats_titles: AtlasStatsTitlesTable;
}
