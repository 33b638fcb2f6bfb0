import { sql, type Insertable, type Kysely } from 'kysely';
import { InternalError } from '../core/errors/index.js';
import type { LoggerLike } from '../core/resilience/index.js';
import { CallWindow, chunked } from '../core/collections/index.js';
import type { CallObservation, ModelStats, StatsSnapshot } from '../orchestrator/index.js';
import type { Database, ModelCallsTable } from '../store/index.js';
import { num } from './rows.js';

export interface ArchiveModelStatsOptions {
  db: Kysely<Database>;
  /** Calls kept per (task kind, model): `orchestrator.stats_window`. */
  window: number;
  /** Calls and ratings older than this many days are not counted: `archive.stats_max_age_days`. */
  maxAgeDays: number;
  /** Most (task kind, model) series kept in memory; the least recently used goes first. Default 1,000. */
  maxSeries?: number | undefined;
  now?: (() => number) | undefined;
  /** Where failed writes are reported (statistics never fail a call). */
  logger?: LoggerLike | undefined;
}

interface StoredCall {
  task_kind: string;
  model: string;
  success: number | string;
  latency_ms: number | string;
  cost_usd: number | string;
}

/** Rows per INSERT of calls (11 columns). */
const CALL_CHUNK = 2000;

function seriesKey(taskKind: string, model: string): string {
  // Model ids cannot contain NUL (config schema), so the last NUL splits any key unambiguously.
  return `${taskKind}\u0000${model}`;
}

/**
 * `ModelStats` over the archive: every finished model call is stored (`model_calls`), so what
 * happened in earlier processes and runs decides which models run next. Per (task kind, model) it
 * keeps the last `window` calls no older than `maxAgeDays`, loaded when the model service starts
 * and kept up to date by this process's own calls; `refresh()` reads again (other processes' calls,
 * new feedback). The mean user rating comes from `localagent feedback` on archived runs.
 *
 * `record` must never throw or wait (it runs on every call): it updates memory at once and queues
 * the row; queued rows are written together once per event-loop turn. A write that fails is
 * logged and dropped, and the statistics in memory still count the call.
 */
export class ArchiveModelStats implements ModelStats {
  private series = new Map<string, CallWindow>();
  private ratings = new Map<string, number>();
  private pending: Insertable<ModelCallsTable>[] = [];
  /**
   * Observations recorded while a refresh reads: their rows are held back until it has read (so
   * they are not in what it reads), then applied again to what it read.
   */
  private duringRefresh: CallObservation[] | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** Refreshes run one after another. */
  private refreshing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private closed = false;
  private readonly window: number;
  private readonly maxSeries: number;
  private readonly now: () => number;

  private constructor(private readonly options: ArchiveModelStatsOptions) {
    const maxSeries = options.maxSeries ?? 1_000;
    if (!Number.isInteger(options.window) || options.window < 1 || !Number.isInteger(maxSeries) || maxSeries < 1 || !(options.maxAgeDays > 0)) {
      throw new InternalError({ message: `ArchiveModelStats needs a positive window, maxSeries and maxAgeDays (got ${options.window}, ${maxSeries}, ${options.maxAgeDays}).` });
    }
    this.window = options.window;
    this.maxSeries = maxSeries;
    this.now = options.now ?? Date.now;
  }

  /** Builds the statistics and reads the stored window. */
  static async load(options: ArchiveModelStatsOptions): Promise<ArchiveModelStats> {
    const stats = new ArchiveModelStats(options);
    await stats.refresh();
    return stats;
  }

  record(observation: CallObservation): void {
    this.add(this.series, observation);
    this.duringRefresh?.push(observation);
    if (this.closed) return;
    this.pending.push({
      task_kind: observation.taskKind.slice(0, 64),
      model: observation.model.slice(0, 128),
      success: observation.success ? 1 : 0,
      latency_ms: Math.max(0, Math.round(observation.latencyMs)),
      first_token_ms: observation.firstTokenMs === undefined ? null : Math.max(0, Math.round(observation.firstTokenMs)),
      tokens_in: Math.max(0, Math.round(observation.inputTokens)),
      tokens_out: Math.max(0, Math.round(observation.outputTokens)),
      cost_usd: Math.max(0, observation.costUsd),
      error_code: observation.errorCode?.slice(0, 64) ?? null,
      at: observation.at.toISOString(),
    });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    }
  }

  get(taskKind: string, model: string): StatsSnapshot {
    const aggregates = this.series.get(seriesKey(taskKind, model))?.aggregates();
    const rating = this.ratings.get(seriesKey(taskKind, model));
    const base: StatsSnapshot = aggregates
      ? { model, taskKind, ...aggregates }
      : { model, taskKind, count: 0, successRate: undefined, latencyP50Ms: undefined, latencyP95Ms: undefined, meanCostUsd: undefined };
    return rating === undefined ? base : { ...base, meanRating: rating };
  }

  /** Resolves once every call recorded so far is written (or its write failed and was logged). */
  flush(): Promise<void> {
    const rows = this.pending;
    if (rows.length === 0 || this.duringRefresh !== undefined) return this.writing;
    this.pending = [];
    this.writing = this.writing.then(async () => {
      try {
        for (const part of chunked(rows, CALL_CHUNK)) await this.options.db.insertInto('model_calls').values(part).execute();
      } catch (error) {
        this.options.logger?.warn({ err: error instanceof Error ? error.message : String(error), calls: rows.length }, 'could not store model call statistics; they count in this process only');
      }
    });
    return this.writing;
  }

  /** Reads the stored window and ratings again: calls other processes made, feedback given since. */
  refresh(): Promise<void> {
    // A failed refresh does not stop the next one.
    this.refreshing = this.refreshing.catch(() => undefined).then(() => this.read());
    return this.refreshing;
  }

  private async read(): Promise<void> {
    const written = this.flush();
    this.duringRefresh = [];
    try {
      await written;
      const cutoff = new Date(this.now() - this.options.maxAgeDays * 86_400_000).toISOString();
      const [calls, ratings] = await Promise.all([this.readCalls(cutoff), this.readRatings(cutoff)]);
      const series = new Map<string, CallWindow>();
      for (const row of calls) {
        this.windowIn(series, row.task_kind, row.model).add(num(row.success) === 1, num(row.latency_ms), num(row.cost_usd));
      }
      for (const observation of this.duringRefresh) this.add(series, observation);
      this.series = series;
      this.ratings = ratings;
    } finally {
      this.duringRefresh = undefined;
    }
    await this.flush();
  }

  /** Writes what is queued; later calls count in memory only. */
  async close(): Promise<void> {
    await this.refreshing.catch(() => undefined);
    await this.flush();
    this.closed = true;
  }

  private async readCalls(cutoff: string): Promise<StoredCall[]> {
    // The newest `window` calls of each series, oldest first so the ring ends on the newest.
    const { rows } = await sql<StoredCall>`select task_kind, model, success, latency_ms, cost_usd from (
        select task_kind, model, success, latency_ms, cost_usd, at, id,
          row_number() over (partition by task_kind, model order by at desc, id desc) as rn
        from model_calls where at >= ${cutoff}
      ) recent where rn <= ${this.window} order by task_kind, model, at, id`.execute(this.options.db);
    return rows;
  }

  private async readRatings(cutoff: string): Promise<Map<string, number>> {
    // A run's rating applies to each model that answered in it; a task's rating, to its model.
    const { rows } = await sql<{ kind: string; model: string; mean: number | string }>`select kind, model, avg(rating * 1.0) as mean from (
        select distinct f.id, t.kind, t.model, f.rating from atlas_feedback f
        join atlas_tasks t on t.run_id = f.run_id and (f.task_id is null or f.task_id = t.task_id)
        where t.model is not null and f.at >= ${cutoff}
      ) rated group by kind, model`.execute(this.options.db);
    return new Map(rows.map((row) => [seriesKey(row.kind, row.model), num(row.mean)]));
  }

  private add(series: Map<string, CallWindow>, observation: CallObservation): void {
    this.windowIn(series, observation.taskKind, observation.model).add(observation.success, observation.latencyMs, observation.costUsd);
  }

  /** The series of (task kind, model), created when missing; the map's order is recency (LRU). */
  private windowIn(series: Map<string, CallWindow>, taskKind: string, model: string): CallWindow {
    const key = seriesKey(taskKind, model);
    let found = series.get(key);
    if (found === undefined) {
      if (series.size >= this.maxSeries) {
        const oldest = series.keys().next().value;
        if (oldest !== undefined) series.delete(oldest);
      }
      found = new CallWindow(this.window);
    } else {
      series.delete(key);
    }
    series.set(key, found);
    return found;
  }
}
