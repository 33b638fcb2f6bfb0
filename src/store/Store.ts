import type { Kysely } from 'kysely';
import type { BulkWriter } from './BulkWriter.js';
import type { Database } from './Database.js';
import type { StoreDialect } from './migrations.js';

/** A journal row to write; the store assigns `seq`. */
export interface NewEventRow {
  run_id: string;
  at: string;
  type: string;
  task_id: string | null;
  attempt: number | null;
  data: string | null;
}

/** An open database: Kysely for queries, plus the write paths that must be fast. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  /** Where the database is, safe to print: the SQLite file, or the PostgreSQL URL with its password masked. */
  readonly where: string;
  /** The schema version after migrations (or as found, when opened without migrating). */
  readonly version: number;
  /**
   * Writes journal rows in one transaction, giving each the next `seq` of its run (read inside the
   * transaction, so it is right whoever else writes). Resolves with the seqs once committed.
   */
  appendEvents(rows: readonly NewEventRow[]): Promise<number[]>;
  /**
   * The same, synchronously, when the dialect can and the connection is free this instant
   * (SQLite: no Kysely transaction open on it); `undefined` when the caller must use `appendEvents`.
   * Saves the event-loop hops of waiting for the connection on every commit of a long chain.
   */
  appendEventsNow?(rows: readonly NewEventRow[]): number[] | undefined;
  /**
   * Runs `fn` in one transaction with a writer for many rows (SQLite: cached single-row prepared
   * statements on the connection itself, after `BEGIN IMMEDIATE`; PostgreSQL: multi-row
   * statements). Commits when `fn` resolves, rolls back when it throws. Inside `fn`, use only the
   * writer: on SQLite the connection is the transaction's until it ends. Driver errors are passed
   * on as they are (map them with `toStorageError`).
   */
  bulkWrite<T>(fn: (writer: BulkWriter) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
