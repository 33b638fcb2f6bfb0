import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FieldCipher } from '../core/crypto/index.js';
import { StorageError, UserInputError } from '../core/errors/index.js';
import type { RunEventsTable, RunStatus, RunsTable } from './Database.js';
import { openStore, type OpenStoreOptions } from './openStore.js';
import type { NewEventRow, Store } from './Store.js';
import { isUniqueViolation, toStorageError } from './storageErrors.js';

/** A run as stored, with its JSON columns parsed. */
export interface RunRecord {
  id: string;
  planId: string;
  planHash: string;
  /** The validated plan. */
  plan: unknown;
  title: string;
  status: RunStatus;
  workspace: string;
  seed: number;
  inputs: Record<string, unknown>;
  concurrency: number;
  createdAt: string;
  updatedAt: string;
  /** Who holds the lease now, if anyone. */
  owner: { pid: number; host: string; heartbeatAt: string } | undefined;
}

/** A run without its plan and inputs, for listings. */
export type RunSummary = Omit<RunRecord, 'plan' | 'inputs'>;

export interface NewRun {
  id: string;
  planId: string;
  planHash: string;
  plan: unknown;
  title: string;
  workspace: string;
  seed: number;
  inputs: Record<string, unknown>;
  concurrency: number;
  /** Default `pending`. */
  status?: RunStatus;
}

/** A journal event to append. */
export interface NewRunEvent {
  runId: string;
  type: string;
  taskId?: string | undefined;
  attempt?: number | undefined;
  /** Any JSON value; stored as JSON text. */
  data?: unknown;
  /** `data` already serialised, when the caller has it (saves serialising a large output twice). */
  dataJson?: string | undefined;
  /** ISO-8601; default now. Given when the caller applies the event itself and needs the same time. */
  at?: string | undefined;
}

/** A journal event as stored. */
export interface StoredRunEvent {
  runId: string;
  seq: number;
  /** ISO-8601. */
  at: string;
  type: string;
  taskId: string | undefined;
  attempt: number | undefined;
  data: unknown;
}

/** Which process holds a lease. */
export interface LeaseOwner {
  pid: number;
  host: string;
}

/** A held lease: proof that this process may run the run. */
export interface Lease extends LeaseOwner {
  runId: string;
  token: string;
}

export interface RunStoreOptions {
  /** A lease whose heartbeat is older than this may be taken over. Default 30 s. */
  staleAfterMs?: number | undefined;
  /** The current time; tests move it. */
  now?: (() => number) | undefined;
  /** Whether a process of this host is alive; tests replace it. */
  processAlive?: ((pid: number) => boolean) | undefined;
  /**
   * Seals the journal's event data and the stored results on write and opens them on read
   * (`security.encrypt_results`). Without it they are stored as plain JSON text.
   */
  cipher?: FieldCipher | undefined;
}

/** One run's events queued in one tick (every run's batches of a tick commit in one transaction). */
interface Batch {
  rows: (NewEventRow & { seq?: number })[];
  committed: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** `process.kill(pid, 0)` delivers nothing and only checks: ESRCH means gone, EPERM means alive but not ours. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This process, as a lease owner. */
export function currentOwner(): LeaseOwner {
  return { pid: process.pid, host: hostname() };
}

function runExists(runId: string): StorageError {
  return new StorageError({
    code: 'LA_RUN_EXISTS',
    category: 'permanent',
    message: `A run with the id "${runId}" is already stored; the new one was not saved.`,
    suggestion: 'Start the run again: a new run gets a new id. If this keeps happening, report it with the id above.',
    details: { run_id: runId },
  });
}

export function runNotFound(runId: string): UserInputError {
  return new UserInputError({
    code: 'LA_RUN_NOT_FOUND',
    message: `There is no run "${runId}".`,
    suggestion: 'List the runs with `localagent runs list` and copy the id from there.',
    details: { run_id: runId },
  });
}

/**
 * Runs, their journal, their results and their leases. Appends are group-committed: every
 * `append` made in the same tick of the event loop goes into one transaction, and each promise
 * resolves only once that transaction has committed, so a caller that awaits its append before
 * acting keeps the journal ahead of every effect.
 */
export class RunStore {
  /** Per run, the events queued in this tick; empty when nothing is queued. */
  private readonly batches = new Map<string, Batch>();
  /** The last batch's commit: batches commit one after another, in the order they were queued. */
  private tail: Promise<void> = Promise.resolve();
  /** Commits queued on the asynchronous path and not finished yet. */
  private inFlight = 0;
  /** A run whose journal write failed takes no more appends: a later event must never commit without an earlier one. */
  private readonly broken = new Map<string, unknown>();
  /** The time of the last event and its ISO form: events of one millisecond share the string. */
  private lastMs = -1;
  private lastIso = '';
  private closed = false;
  private readonly staleAfterMs: number;
  private readonly now: () => number;
  private readonly alive: (pid: number) => boolean;
  private readonly cipher: FieldCipher | undefined;

  constructor(
    readonly store: Store,
    options: RunStoreOptions = {},
    private readonly ownsStore = false,
  ) {
    this.staleAfterMs = options.staleAfterMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.alive = options.processAlive ?? processAlive;
    this.cipher = options.cipher;
  }

  /** Opens the database and a RunStore that closes it on `close()`. */
  static async open(options: OpenStoreOptions & RunStoreOptions): Promise<RunStore> {
    return new RunStore(await openStore(options), options, true);
  }

  /** Where the database is, for messages (a file, or a URL with its password masked). */
  private get file(): string {
    return this.store.where;
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private async guard<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StorageError({ message: `The run store for ${this.file} is closed.`, details: { file: this.file } });
    try {
      return await fn();
    } catch (error) {
      throw toStorageError(error, this.file, doing);
    }
  }

  async createRun(run: NewRun): Promise<RunRecord> {
    const at = this.iso();
    const row: RunsTable = {
      id: run.id,
      plan_id: run.planId,
      plan_hash: run.planHash,
      plan: JSON.stringify(run.plan),
      title: run.title,
      status: run.status ?? 'pending',
      workspace: run.workspace,
      seed: run.seed,
      inputs: JSON.stringify(run.inputs),
      concurrency: run.concurrency,
      created_at: at,
      updated_at: at,
      owner_pid: null,
      owner_host: null,
      owner_token: null,
      heartbeat_at: null,
    };
    await this.guard('creating a run', async () => {
      try {
        await this.store.db.insertInto('runs').values(row).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw runExists(run.id);
        throw error;
      }
    });
    // The caller's own objects, not a parse of what was just serialised (a 10,000-task plan is megabytes).
    return { ...toRecord({ ...row, plan: 'null', inputs: '{}' }), plan: run.plan, inputs: run.inputs };
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const row = await this.guard('reading a run', () => this.store.db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst());
    return row ? toRecord(row) : undefined;
  }

  /** Newest first. */
  async listRuns(options: { limit?: number | undefined; status?: RunStatus | readonly RunStatus[] | undefined } = {}): Promise<RunSummary[]> {
    const limit = Math.max(1, Math.min(options.limit ?? 50, 10_000));
    const statuses = options.status === undefined ? undefined : typeof options.status === 'string' ? [options.status] : [...options.status];
    const rows = await this.guard('listing runs', () => {
      let query = this.store.db
        .selectFrom('runs')
        .select(['id', 'plan_id', 'plan_hash', 'title', 'status', 'workspace', 'seed', 'concurrency', 'created_at', 'updated_at', 'owner_pid', 'owner_host', 'owner_token', 'heartbeat_at']);
      if (statuses) query = statuses.length === 0 ? query.where('id', 'is', null) : query.where('status', 'in', statuses);
      return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    });
    return rows.map((row) => {
      const { plan: _plan, inputs: _inputs, ...summary } = toRecord({ ...row, plan: 'null', inputs: '{}' });
      return summary;
    });
  }

  async setStatus(runId: string, status: RunStatus): Promise<void> {
    await this.guard('updating a run', () => this.store.db.updateTable('runs').set({ status, updated_at: this.iso() }).where('id', '=', runId).execute());
  }

  /** The current time as ISO-8601, computed once per millisecond (thousands of events share one). */
  eventTime(): string {
    const now = this.now();
    if (now !== this.lastMs) {
      this.lastMs = now;
      this.lastIso = new Date(now).toISOString();
    }
    return this.lastIso;
  }

  /**
   * Queues an event and resolves with it (seq and time filled in) once it is committed. Appends
   * from the same tick share one transaction.
   */
  append(event: NewRunEvent): Promise<StoredRunEvent> {
    let row: NewEventRow & { seq?: number };
    try {
      row = this.toRow(event);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return this.enqueueRow(row).then(() => ({
      runId: row.run_id,
      seq: row.seq as number,
      at: row.at,
      type: row.type,
      taskId: event.taskId,
      attempt: event.attempt,
      data: event.data,
    }));
  }

  /**
   * Like `append`, for hot paths: resolves once the event is committed, with the promise shared by
   * every event of its batch (so awaiting many events costs one promise, not one each).
   */
  enqueue(event: NewRunEvent): Promise<void> {
    try {
      return this.enqueueRow(this.toRow(event));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  private toRow(event: NewRunEvent): NewEventRow {
    if (this.closed) throw new StorageError({ message: `The run store for ${this.file} is closed.`, details: { file: this.file } });
    const broken = this.broken.get(event.runId);
    if (broken !== undefined) throw broken;
    let data: string | null;
    try {
      data = event.dataJson ?? (event.data === undefined ? null : JSON.stringify(event.data));
      if (data !== null && this.cipher) data = this.cipher.seal(data);
    } catch (error) {
      throw toStorageError(error, this.file, 'serialising a journal event');
    }
    return { run_id: event.runId, at: event.at ?? this.eventTime(), type: event.type, task_id: event.taskId ?? null, attempt: event.attempt ?? null, data };
  }

  private enqueueRow(row: NewEventRow): Promise<void> {
    let batch = this.batches.get(row.run_id);
    if (!batch) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const committed = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      batch = { rows: [], committed, resolve, reject };
      // After every promise callback of this tick has run, so their appends join this transaction.
      if (this.batches.size === 0) setImmediate(() => this.flushNow());
      this.batches.set(row.run_id, batch);
    }
    batch.rows.push(row);
    return batch.committed;
  }

  /** Resolves once everything appended so far is committed (or failed). */
  async flush(): Promise<void> {
    this.flushNow();
    await this.tail;
  }

  private flushNow(): void {
    if (this.batches.size === 0) return;
    const batches = [...this.batches.values()];
    this.batches.clear();
    if (this.inFlight === 0 && this.store.appendEventsNow) {
      // Nothing earlier is still committing, so committing now keeps the order.
      const live = this.liveBatches(batches);
      if (live.length === 0) return;
      const rows = this.rowsOf(live);
      let seqs: number[] | undefined;
      try {
        seqs = this.store.appendEventsNow(rows);
      } catch (error) {
        this.failBatches(live, error);
        return;
      }
      if (seqs) {
        this.settleBatches(live, rows, seqs);
        return;
      }
      this.commitLater(live);
      return;
    }
    this.commitLater(batches);
  }

  /** Commits through the asynchronous path, after every earlier commit. */
  private commitLater(batches: Batch[]): void {
    this.inFlight += 1;
    this.tail = this.tail.then(async () => {
      try {
        const live = this.liveBatches(batches);
        if (live.length === 0) return;
        const rows = this.rowsOf(live);
        let seqs: number[];
        try {
          seqs = await this.store.appendEvents(rows);
        } catch (error) {
          this.failBatches(live, error);
          return;
        }
        this.settleBatches(live, rows, seqs);
      } finally {
        this.inFlight -= 1;
      }
    });
  }

  /** Batches whose run is not broken; the others are rejected with the run's error. */
  private liveBatches(batches: Batch[]): Batch[] {
    if (this.broken.size === 0) return batches;
    return batches.filter((batch) => {
      // A run broken by an earlier transaction keeps nothing from later ones.
      const broken = this.broken.get(batch.rows[0]?.run_id as string);
      if (broken !== undefined) batch.reject(broken);
      return broken === undefined;
    });
  }

  private rowsOf(batches: Batch[]): (NewEventRow & { seq?: number })[] {
    return batches.length === 1 ? (batches[0] as Batch).rows : batches.flatMap((batch) => batch.rows);
  }

  private settleBatches(batches: Batch[], rows: (NewEventRow & { seq?: number })[], seqs: number[]): void {
    rows.forEach((row, i) => (row.seq = seqs[i]));
    for (const batch of batches) batch.resolve();
  }

  private failBatches(batches: Batch[], error: unknown): void {
    for (const batch of batches) {
      this.broken.set(batch.rows[0]?.run_id as string, error);
      batch.reject(error);
    }
  }

  /** The run's journal, in order (after `afterSeq` when given). */
  async events(runId: string, options: { afterSeq?: number } = {}): Promise<StoredRunEvent[]> {
    const rows = await this.guard('reading the run journal', () =>
      this.store.db
        .selectFrom('run_events')
        .selectAll()
        .where('run_id', '=', runId)
        .where('seq', '>', options.afterSeq ?? 0)
        .orderBy('seq')
        .execute(),
    );
    return rows.map((row) => this.toStoredEvent(row));
  }

  /**
   * A cheap look for news in a run's journal: the run's last `seq` now, and the first event of
   * `type` after `afterSeq` and up to that `seq`, if any. Pass the returned `lastSeq` as the next
   * `afterSeq`: every event is looked at once, so each call reads only what was appended since the
   * previous one (an event committed after the first read gets a higher seq and is seen next time).
   */
  async nextEventOfType(runId: string, type: string, afterSeq: number): Promise<{ lastSeq: number; event: StoredRunEvent | undefined }> {
    return this.guard('reading the run journal', async () => {
      const top = await this.store.db
        .selectFrom('run_events')
        .select((eb) => eb.fn.max<number | null>('seq').as('seq'))
        .where('run_id', '=', runId)
        .executeTakeFirst();
      const lastSeq = Math.max(afterSeq, top?.seq ?? 0);
      if (lastSeq === afterSeq) return { lastSeq, event: undefined };
      const row = await this.store.db
        .selectFrom('run_events')
        .selectAll()
        .where('run_id', '=', runId)
        .where('seq', '>', afterSeq)
        .where('seq', '<=', lastSeq)
        .where('type', '=', type)
        .orderBy('seq')
        .limit(1)
        .executeTakeFirst();
      return { lastSeq, event: row ? this.toStoredEvent(row) : undefined };
    });
  }

  /** Stores the run's result (replacing an earlier snapshot); `json` when the caller has it serialised already. */
  async saveResult(runId: string, last: { status: string }, json = JSON.stringify(last)): Promise<void> {
    await this.guard('saving a run result', async () => {
      const row = { run_id: runId, status: last.status, last: this.cipher ? this.cipher.seal(json) : json, saved_at: this.iso() };
      await this.store.db
        .insertInto('results')
        .values(row)
        .onConflict((oc) => oc.column('run_id').doUpdateSet({ status: row.status, last: row.last, saved_at: row.saved_at }))
        .execute();
    });
  }

  /** The stored result (parsed JSON, not validated), if any. */
  async getResult(runId: string): Promise<unknown> {
    const row = await this.guard('reading a run result', () => this.store.db.selectFrom('results').select('last').where('run_id', '=', runId).executeTakeFirst());
    if (!row) return undefined;
    return JSON.parse(this.opened(row.last, 'reading a run result')) as unknown;
  }

  /** Stored text as written before sealing; plain text (stored without a cipher) comes back as it is. */
  private opened(stored: string, doing: string): string {
    if (!this.cipher) return stored;
    try {
      return this.cipher.open(stored);
    } catch (error) {
      throw toStorageError(error, this.file, doing);
    }
  }

  private toStoredEvent(row: RunEventsTable): StoredRunEvent {
    return {
      runId: row.run_id,
      seq: row.seq,
      at: row.at,
      type: row.type,
      taskId: row.task_id ?? undefined,
      attempt: row.attempt ?? undefined,
      data: row.data === null ? undefined : (JSON.parse(this.opened(row.data, 'reading the run journal')) as unknown),
    };
  }

  /**
   * Takes the run's lease for `owner`, or throws `LA_RUN_BUSY` when another process holds it and
   * is alive. A lease is free when nobody holds it, when its heartbeat is older than
   * `staleAfterMs`, or when its owner was a process of this host that no longer exists. The
   * take-over is a compare-and-set on the previous token, so two processes racing for a free lease
   * cannot both win.
   */
  async acquire(runId: string, owner: LeaseOwner = currentOwner()): Promise<Lease> {
    return this.guard('taking the run lease', async () => {
      const row = await this.store.db
        .selectFrom('runs')
        .select(['owner_pid', 'owner_host', 'owner_token', 'heartbeat_at'])
        .where('id', '=', runId)
        .executeTakeFirst();
      if (!row) throw runNotFound(runId);
      if (row.owner_token !== null && !this.takeable(row)) throw this.busy(runId, row);
      const token = randomBytes(12).toString('hex');
      const at = this.iso();
      const result = await this.store.db
        .updateTable('runs')
        .set({ owner_pid: owner.pid, owner_host: owner.host, owner_token: token, heartbeat_at: at, updated_at: at })
        .where('id', '=', runId)
        .where('owner_token', row.owner_token === null ? 'is' : '=', row.owner_token)
        .executeTakeFirst();
      if (result.numUpdatedRows !== 1n) {
        const now = await this.store.db.selectFrom('runs').select(['owner_pid', 'owner_host', 'owner_token', 'heartbeat_at']).where('id', '=', runId).executeTakeFirst();
        throw this.busy(runId, now ?? row);
      }
      return { runId, token, ...owner };
    });
  }

  private takeable(row: Pick<RunsTable, 'owner_pid' | 'owner_host' | 'heartbeat_at'>): boolean {
    const beat = row.heartbeat_at === null ? 0 : Date.parse(row.heartbeat_at);
    if (!(this.now() - beat < this.staleAfterMs)) return true;
    return row.owner_host === hostname() && row.owner_pid !== null && !this.alive(row.owner_pid);
  }

  private busy(runId: string, row: Pick<RunsTable, 'owner_pid' | 'owner_host' | 'heartbeat_at'>): StorageError {
    return new StorageError({
      code: 'LA_RUN_BUSY',
      category: 'transient',
      message: `Run ${runId} is being run by another process (pid ${String(row.owner_pid)} on ${String(row.owner_host)}, last seen ${String(row.heartbeat_at)}).`,
      suggestion: `Wait for it to finish, or stop that process; once it has exited (or stopped answering for ${Math.round(this.staleAfterMs / 1000)} s) the run can be resumed with \`localagent runs resume ${runId}\`.`,
      details: { run_id: runId, owner_pid: row.owner_pid, owner_host: row.owner_host, heartbeat_at: row.heartbeat_at },
    });
  }

  /** Renews the lease; throws `LA_RUN_LEASE_LOST` when another process has taken it over. */
  async heartbeat(lease: Lease): Promise<void> {
    const result = await this.guard('renewing the run lease', () =>
      this.store.db
        .updateTable('runs')
        .set({ heartbeat_at: this.iso() })
        .where('id', '=', lease.runId)
        .where('owner_token', '=', lease.token)
        .executeTakeFirst(),
    );
    if (result.numUpdatedRows !== 1n) {
      throw new StorageError({
        code: 'LA_RUN_LEASE_LOST',
        message: `Run ${lease.runId} was taken over by another process while this one was running it (this process stopped renewing its lease in time).`,
        suggestion: `This process stopped working on the run. See its state with \`localagent runs show ${lease.runId}\`; if the machine was overloaded or asleep, raise the lease timeout.`,
        details: { run_id: lease.runId },
      });
    }
  }

  /** Gives the lease up (no-op when it was already taken over). */
  async release(lease: Lease): Promise<void> {
    await this.guard('releasing the run lease', () =>
      this.store.db
        .updateTable('runs')
        .set({ owner_pid: null, owner_host: null, owner_token: null, heartbeat_at: null, updated_at: this.iso() })
        .where('id', '=', lease.runId)
        .where('owner_token', '=', lease.token)
        .execute(),
    );
  }

  /** Commits what is queued, then stops taking appends (and closes the database when this store opened it). */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    if (this.ownsStore) await this.store.close();
  }
}

function toRecord(row: RunsTable): RunRecord {
  return {
    id: row.id,
    planId: row.plan_id,
    planHash: row.plan_hash,
    plan: JSON.parse(row.plan) as unknown,
    title: row.title,
    status: row.status,
    workspace: row.workspace,
    seed: Number(row.seed),
    inputs: JSON.parse(row.inputs) as Record<string, unknown>,
    concurrency: row.concurrency,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    owner:
      row.owner_token !== null && row.owner_pid !== null && row.owner_host !== null && row.heartbeat_at !== null
        ? { pid: row.owner_pid, host: row.owner_host, heartbeatAt: row.heartbeat_at }
        : undefined,
  };
}
