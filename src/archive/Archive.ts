import { unlink } from 'node:fs/promises';
import type { FieldCipher } from '../core/crypto/index.js';
import { UserInputError } from '../core/errors/index.js';
import { writeFileAtomic } from '../core/fs/index.js';
import type { LoggerLike } from '../core/resilience/index.js';
import { parseLast, type AltPlan, type AtlasFeedback, type AtlasRecord, type LastResult } from '../formats/index.js';
import { runNotFound, toStorageError, type RunStatus, type Store } from '../store/index.js';
import { ArchiveModelStats } from './ArchiveModelStats.js';
import { readBundle } from './bundle.js';
import { deriveAtlas, isFinishedLast } from './deriveAtlas.js';
import { runNotFinished, sealedRecord } from './errors.js';
import { pruneRecords } from './pruneRecords.js';
import { rateRun } from './rateRun.js';
import { feedbackEntry, num } from './rows.js';
import { searchRuns, type SearchHit, type SearchOptions } from './search.js';
import { searchDocument } from './searchDocument.js';
import { RECORD_COLUMNS, storedRecords } from './storedRecords.js';
import { parseSearchQuery } from './searchQuery.js';
import { archiveStats, type StatsGrouping, type StatsReport } from './stats.js';
import { insertNew, replaceOne, type ArchiveItem, type WriteOptions, type WriteOutcome } from './writeRecords.js';

export interface ArchiveOptions {
  /** The open database, shared with the run store (one connection per process for SQLite). */
  store: Store;
  /** Seals stored records and plans when results are encrypted at rest (`security.encrypt_results`). */
  cipher?: FieldCipher | undefined;
  /** Where `.last` files are (`HomePaths.runs`), so `prune` removes those of the runs it removes. */
  runsDir?: string | undefined;
  now?: (() => number) | undefined;
  /** Where background ingests that fail are reported. */
  logger?: LoggerLike | undefined;
  /**
   * Model statistics built elsewhere on the same database (the app loads them for the model
   * service without opening the archive, which may need the results key): feedback and prune
   * refresh them as they refresh the archive's own (`modelStats`).
   */
  sharedModelStats?: (() => ArchiveModelStats | undefined) | undefined;
}

/** An archived run as `archive show` gives it. */
export interface ArchivedRun {
  record: AtlasRecord;
  /** `run`: archived from a run here; `import`: from a bundle. */
  source: string;
  /** ISO-8601. */
  archived_at: string;
}

/** What `ingestRun` did. */
export interface IngestOutcome {
  archived: boolean;
  /** Why not: `unknown run`, `no result`, `encrypted`, or the run's status when it has not finished. */
  reason?: string;
}

export interface FeedbackInput {
  rating: number;
  comment?: string | undefined;
  task?: string | undefined;
  by?: string | undefined;
}

export interface ImportReport extends WriteOutcome {
  /** Records in the bundle (a run listed twice counts once). */
  records: number;
}

export interface PruneReport {
  /** ISO-8601: everything that finished before this went. */
  before: string;
  archivedRuns: number;
  runs: number;
  modelCalls: number;
  plans: number;
}

const FINAL: readonly RunStatus[] = ['success', 'partial', 'failure', 'cancelled'];
/** Runs per transaction when catching up on runs that finished while nothing archived them. */
const PENDING_BATCH = 200;
/** Records per page when exporting. */
const EXPORT_PAGE = 2000;

/**
 * The archive: every finished run's `.atlas` record (derived from its `.last`), its plan, people's
 * feedback, a full-text index, statistics, bundles to move records between machines, and the
 * `ModelStats` model selection learns from. Works on SQLite and PostgreSQL alike; see docs/archive.md.
 */
export class Archive {
  private readonly store: Store;
  private readonly cipher: FieldCipher | undefined;
  private readonly now: () => number;
  private readonly background = new Set<Promise<void>>();
  private stats: ArchiveModelStats | undefined;
  private statsLoading: Promise<ArchiveModelStats> | undefined;

  constructor(private readonly options: ArchiveOptions) {
    this.store = options.store;
    this.cipher = options.cipher;
    this.now = options.now ?? Date.now;
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private async guard<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toStorageError(error, this.store.where, doing);
    }
  }

  private writeOptions(source: 'run' | 'import'): WriteOptions {
    return { source, archivedAt: this.iso(), cipher: this.cipher };
  }

  /** Stored text as written: opened when sealed; `undefined` when sealed and there is no key. */
  private opened(text: string): string | undefined {
    if (this.cipher) return this.cipher.open(text);
    return text.startsWith('{') || text.startsWith('[') ? text : undefined;
  }

  /**
   * Archives one run from the database: derives its `.atlas` record from its `.last` (`last` when
   * the caller has it at hand) and its plan, indexes it, and replaces an earlier record of the same
   * run (feedback stays). A run that has not finished is left for later.
   */
  async ingestRun(runId: string, given?: LastResult): Promise<IngestOutcome> {
    return this.guard('archiving a run', async () => {
      const row = await this.store.db
        .selectFrom('runs')
        .leftJoin('results', 'results.run_id', 'runs.id')
        .select(['runs.plan', 'runs.plan_hash', 'runs.plan_id', 'runs.title', 'results.last'])
        .where('runs.id', '=', runId)
        .executeTakeFirst();
      if (!row) return { archived: false, reason: 'unknown run' };
      let last = given;
      if (!last) {
        if (row.last === null) return { archived: false, reason: 'no result' };
        const text = this.opened(row.last);
        if (text === undefined) return { archived: false, reason: 'encrypted' };
        last = parseLast(JSON.parse(text), `the stored result of ${runId}`);
      }
      if (!isFinishedLast(last)) return { archived: false, reason: last.status };
      const planText = this.opened(row.plan);
      const plan = planText === undefined ? undefined : (JSON.parse(planText) as AltPlan);
      const record = deriveAtlas(last, plan);
      const item: ArchiveItem = {
        record,
        document: () => searchDocument(record, last, { sealed: this.cipher !== undefined }),
        ...(planText !== undefined
          ? {
              plan: {
                hash: row.plan_hash,
                plan_id: row.plan_id,
                title: row.title,
                command: plan?.command ?? null,
                plan: this.cipher ? this.cipher.seal(planText) : planText,
                created_at: this.iso(),
              },
            }
          : {}),
      };
      await this.store.bulkWrite((writer) => replaceOne(writer, this.store.db, item, this.writeOptions('run')));
      return { archived: true };
    });
  }

  /**
   * `ingestRun` without waiting: for the runner's hook, which must not be slowed or failed by the
   * archive. A failure is logged; the run is archived later by `ingestPending`. `close()` waits.
   */
  ingestInBackground(last: LastResult): void {
    if (!isFinishedLast(last)) return;
    const work = this.ingestRun(last.run_id, last)
      .then(() => undefined)
      .catch((error: unknown) => {
        this.options.logger?.warn({ run_id: last.run_id, err: error instanceof Error ? error.message : String(error) }, 'could not archive a finished run; it is archived at the next archive command');
      })
      .finally(() => this.background.delete(work));
    this.background.add(work);
  }

  /**
   * Archives finished runs that have no record yet (finished while the archive could not write,
   * or before it existed). Returns how many it archived. Cheap when there are none: one query.
   */
  async ingestPending(limit = 10_000): Promise<number> {
    let archived = 0;
    // Walks the results in (saved_at, run_id) order, so a result that cannot be archived is passed
    // over instead of being read again and again.
    let after: { saved_at: string; run_id: string } | undefined;
    while (archived < limit) {
      const from = after;
      const rows = await this.guard('looking for runs to archive', () => {
        let query = this.store.db
          .selectFrom('results')
          .leftJoin('atlas_runs', 'atlas_runs.run_id', 'results.run_id')
          .select(['results.run_id', 'results.saved_at'])
          .where('atlas_runs.run_id', 'is', null)
          .where('results.status', 'in', FINAL);
        if (from) {
          query = query.where((eb) =>
            eb.or([eb('results.saved_at', '>', from.saved_at), eb.and([eb('results.saved_at', '=', from.saved_at), eb('results.run_id', '>', from.run_id)])]),
          );
        }
        return query.orderBy('results.saved_at').orderBy('results.run_id').limit(PENDING_BATCH).execute();
      });
      for (const { run_id } of rows) {
        try {
          if ((await this.ingestRun(run_id)).archived) archived += 1;
        } catch (error) {
          // One unreadable result must not keep every other run out of the archive.
          this.options.logger?.warn({ run_id, err: error instanceof Error ? error.message : String(error) }, 'could not archive a finished run');
        }
      }
      after = rows.at(-1);
      if (rows.length < PENDING_BATCH) break;
    }
    return archived;
  }

  /** Runs matching a query (docs/archive.md for the syntax), the most recently archived first. */
  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    const parsed = parseSearchQuery(query);
    return this.guard('searching the archive', () => searchRuns(this.store.db, this.store.dialect, parsed, options));
  }

  /** The archived record of a run, with its feedback. */
  async show(runId: string): Promise<ArchivedRun> {
    await this.ensureArchived(runId);
    return this.guard('reading the archive', async () => {
      const row = await this.store.db
        .selectFrom('atlas_runs')
        .select([...RECORD_COLUMNS, 'source', 'archived_at'])
        .where('run_id', '=', runId)
        .executeTakeFirstOrThrow();
      const record = (await storedRecords(this.store.db, [row], (text) => this.opened(text))).get(runId);
      if (record === undefined) throw sealedRecord(runId);
      const feedback = await this.store.db.selectFrom('atlas_feedback').select(['task_id', 'rating', 'comment', 'at', 'given_by']).where('run_id', '=', runId).orderBy('at').orderBy('id').execute();
      return { record: { ...record, feedback: feedback.map(feedbackEntry) }, source: row.source, archived_at: row.archived_at };
    });
  }

  /** Attaches a person's rating (1–5) to a finished run or one of its tasks; returns the updated record. */
  async feedback(runId: string, input: FeedbackInput): Promise<ArchivedRun> {
    if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5) {
      throw new UserInputError({ message: `A rating is a whole number from 1 to 5 (got ${String(input.rating)}).`, suggestion: 'Rate with --rating 1 (useless) to 5 (exactly right).' });
    }
    if (input.comment !== undefined && input.comment.length > 10_000) {
      throw new UserInputError({ message: 'The comment is longer than 10,000 characters.', suggestion: 'Shorten it; a sentence or two is what helps later.' });
    }
    await this.ensureArchived(runId);
    await this.guard('saving feedback', async () => {
      const entry: AtlasFeedback = {
        rating: input.rating,
        ...(input.comment !== undefined && input.comment !== '' ? { comment: input.comment } : {}),
        ...(input.task !== undefined ? { task: input.task } : {}),
        at: this.iso(),
        ...(input.by !== undefined ? { by: input.by.slice(0, 255) } : {}),
      };
      await this.store.bulkWrite((writer) => rateRun(writer, this.store.db, runId, entry));
    });
    // The statistics in this process see the rating at once; other processes at their next refresh.
    await this.refreshStats();
    return this.show(runId);
  }

  /** Success rate, latency percentiles, tokens, cost and ratings per model, task kind, plan or day. */
  async statistics(by: StatsGrouping, options: { since?: string | undefined } = {}): Promise<StatsReport> {
    return this.guard('computing statistics', () => archiveStats(this.store.db, by, options.since, this.store.dialect));
  }

  /** Writes the records (with feedback) of runs finished at or after `since` as a JSON Lines bundle. */
  async exportBundle(file: string, options: { since?: string | undefined } = {}): Promise<{ records: number }> {
    const lines: string[] = [];
    await this.guard('exporting the archive', async () => {
      let after: { finished_at: string; id: number } | undefined;
      for (;;) {
        let query = this.store.db.selectFrom('atlas_runs').select(['id', ...RECORD_COLUMNS]);
        if (options.since !== undefined) query = query.where('finished_at', '>=', options.since);
        if (after) {
          const { finished_at, id } = after;
          query = query.where((eb) => eb.or([eb('finished_at', '>', finished_at), eb.and([eb('finished_at', '=', finished_at), eb('id', '>', id)])]));
        }
        const page = await query.orderBy('finished_at').orderBy('id').limit(EXPORT_PAGE).execute();
        if (page.length === 0) break;
        const feedback = await this.store.db
          .selectFrom('atlas_feedback')
          .select(['run_id', 'task_id', 'rating', 'comment', 'at', 'given_by'])
          .where(
            'run_id',
            'in',
            page.map((r) => r.run_id),
          )
          .orderBy('at')
          .orderBy('id')
          .execute();
        const byRun = new Map<string, AtlasFeedback[]>();
        for (const row of feedback) byRun.set(row.run_id, [...(byRun.get(row.run_id) ?? []), feedbackEntry(row)]);
        const records = await storedRecords(this.store.db, page, (text) => this.opened(text));
        for (const row of page) {
          const record = records.get(row.run_id);
          if (record === undefined) throw sealedRecord(row.run_id);
          lines.push(JSON.stringify({ ...record, feedback: byRun.get(row.run_id) ?? [] }));
        }
        const lastRow = page.at(-1) as (typeof page)[number];
        after = { finished_at: lastRow.finished_at, id: num(lastRow.id) };
        if (page.length < EXPORT_PAGE) break;
      }
    });
    await writeFileAtomic(file, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
    return { records: lines.length };
  }

  /**
   * Imports a bundle in one transaction: every line is checked first (a bad one names its line and
   * nothing is imported); runs already archived are left as they are and feedback is merged, so
   * importing the same bundle twice adds nothing the second time.
   */
  async importBundle(file: string, shownAs = file): Promise<ImportReport> {
    const records = await readBundle(file, shownAs);
    return this.importRecords(records);
  }

  /** Archives already validated records in one transaction (see `importBundle`). */
  async importRecords(records: readonly AtlasRecord[]): Promise<ImportReport> {
    const sealed = this.cipher !== undefined;
    const items = records.map((record) => ({ record, document: () => searchDocument(record, undefined, { sealed }) }));
    const outcome = await this.guard('importing records', () => this.store.bulkWrite((writer) => insertNew(writer, this.store.db, items, this.writeOptions('import'))));
    return { records: new Set(records.map((r) => r.run_id)).size, ...outcome };
  }

  /**
   * Removes what finished before `before` (ISO-8601): archived records with their feedback and index
   * entries, model calls, finished runs with their journal, result and `.last` file, and plans no
   * run uses any more. Runs still going or waiting for approval are never removed.
   */
  async prune(before: string): Promise<PruneReport> {
    const removed = await this.guard('pruning the archive', () => this.store.bulkWrite((writer) => pruneRecords(writer, this.store.db, before, FINAL)));
    const runsDir = this.options.runsDir;
    if (runsDir !== undefined) {
      const { lastFilePath } = await import('../runner/index.js');
      await Promise.all(removed.runIds.map((id) => unlink(lastFilePath(runsDir, id)).catch(() => undefined)));
    }
    await this.refreshStats();
    return { before, archivedRuns: removed.archivedRuns, runs: removed.runIds.length, modelCalls: removed.modelCalls, plans: removed.plans };
  }

  /**
   * The `ModelStats` model selection reads, over the stored calls of the last `maxAgeDays` days,
   * `window` calls per (task kind, model). Built once; later calls return the same object.
   */
  modelStats(options: { window: number; maxAgeDays: number }): Promise<ArchiveModelStats> {
    this.statsLoading ??= this.guard('reading model statistics', () =>
      ArchiveModelStats.load({ db: this.store.db, window: options.window, maxAgeDays: options.maxAgeDays, now: this.now, logger: this.options.logger }),
    ).then(
      (stats) => (this.stats = stats),
      (error: unknown) => {
        this.statsLoading = undefined;
        throw error;
      },
    );
    return this.statsLoading;
  }

  private async refreshStats(): Promise<void> {
    const shared = this.options.sharedModelStats?.();
    await Promise.all([this.stats?.refresh(), shared !== this.stats ? shared?.refresh() : undefined]);
  }

  /** Waits for background ingests and writes queued statistics. The store is the caller's to close. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.background]);
    await this.stats?.close();
  }

  /** Makes sure a finished run is archived; throws when the run is unknown or has not finished. */
  private async ensureArchived(runId: string): Promise<void> {
    const present = await this.guard('reading the archive', () => this.store.db.selectFrom('atlas_runs').select('id').where('run_id', '=', runId).executeTakeFirst());
    if (present) return;
    const outcome = await this.ingestRun(runId);
    if (outcome.archived) return;
    if (outcome.reason === 'unknown run') throw runNotFound(runId);
    if (outcome.reason === 'encrypted') throw sealedRecord(runId);
    const status = await this.guard('reading a run', () => this.store.db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirst());
    throw runNotFinished(runId, status?.status ?? outcome.reason ?? 'unknown');
  }
}
