/**
 * The database's tables as Kysely sees them. Column types are portable SQL (`varchar`, `text`,
 * `integer`): JSON is stored as text and times as ISO-8601 text, so the same schema works on
 * SQLite today and PostgreSQL later.
 */

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

export interface Database {
  migrations: MigrationsTable;
  runs: RunsTable;
  run_events: RunEventsTable;
  results: ResultsTable;
}
