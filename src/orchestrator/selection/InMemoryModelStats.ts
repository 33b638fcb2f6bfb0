import { InternalError } from '../../core/errors/index.js';
import type { CallObservation, ModelStats, StatsSnapshot } from '../types/index.js';
import { CallWindow } from '../../core/collections/index.js';

export interface InMemoryModelStatsOptions {
  /** Observations kept per (task kind, model): `orchestrator.stats_window`. */
  window: number;
  /**
   * Most (task kind, model) series kept; recording a new one beyond this drops the series recorded
   * to least recently. Bounds memory when task kinds come from user plans. Default 1,000.
   */
  maxSeries?: number;
}

/**
 * `ModelStats` over this process's calls: per (task kind, model) a sliding window of the last
 * `window` observations. Success rate counts every call in the window; latency percentiles and mean
 * cost count successful calls only (a failure's latency says when it failed, not how fast the model
 * answers). Nothing survives a restart; the archive's implementation reads stored `.atlas` records.
 */
export class InMemoryModelStats implements ModelStats {
  private readonly window: number;
  private readonly maxSeries: number;
  /** Insertion order doubles as recency order: a series is moved to the end whenever it records. */
  private readonly series = new Map<string, CallWindow>();

  constructor(options: InMemoryModelStatsOptions) {
    const maxSeries = options.maxSeries ?? 1_000;
    if (!Number.isInteger(options.window) || options.window < 1 || !Number.isInteger(maxSeries) || maxSeries < 1) {
      throw new InternalError({ message: `InMemoryModelStats needs a positive integer window and maxSeries (got ${options.window}, ${maxSeries}).` });
    }
    this.window = options.window;
    this.maxSeries = maxSeries;
  }

  record(observation: CallObservation): void {
    const key = seriesKey(observation.taskKind, observation.model);
    let series = this.series.get(key);
    if (series === undefined) {
      if (this.series.size >= this.maxSeries) {
        const oldest = this.series.keys().next().value;
        if (oldest !== undefined) this.series.delete(oldest);
      }
      series = new CallWindow(this.window);
    } else {
      this.series.delete(key);
    }
    this.series.set(key, series);
    series.add(observation.success, observation.latencyMs, observation.costUsd);
  }

  get(taskKind: string, model: string): StatsSnapshot {
    const aggregates = this.series.get(seriesKey(taskKind, model))?.aggregates();
    if (aggregates === undefined) {
      return { model, taskKind, count: 0, successRate: undefined, latencyP50Ms: undefined, latencyP95Ms: undefined, meanCostUsd: undefined };
    }
    return { model, taskKind, ...aggregates };
  }
}

/** Model ids cannot contain NUL (config schema), so the last NUL splits any key unambiguously. */
function seriesKey(taskKind: string, model: string): string {
  return `${taskKind}\u0000${model}`;
}
