import { InternalError } from '../../core/errors/index.js';
import type { CallObservation, ModelStats, StatsSnapshot } from '../types/index.js';

export interface InMemoryModelStatsOptions {
  /** Observations kept per (task kind, model): `orchestrator.stats_window`. */
  window: number;
  /**
   * Most (task kind, model) series kept; recording a new one beyond this drops the series recorded
   * to least recently. Bounds memory when task kinds come from user plans. Default 1,000.
   */
  maxSeries?: number;
}

interface Aggregates {
  count: number;
  successRate: number | undefined;
  latencyP50Ms: number | undefined;
  latencyP95Ms: number | undefined;
  meanCostUsd: number | undefined;
}

/**
 * The last `window` observations of one (task kind, model), in a ring buffer of typed arrays:
 * recording is O(1) and allocation-free; aggregates are computed on read (O(n log n) for the
 * percentiles) and cached until the next record, since selection reads far more often than calls end.
 */
class Series {
  private readonly latency: Float64Array;
  private readonly cost: Float64Array;
  private readonly success: Uint8Array;
  private next = 0;
  private size = 0;
  private cached: Aggregates | undefined;

  constructor(private readonly capacity: number) {
    this.latency = new Float64Array(capacity);
    this.cost = new Float64Array(capacity);
    this.success = new Uint8Array(capacity);
  }

  record(observation: CallObservation): void {
    this.latency[this.next] = observation.latencyMs;
    this.cost[this.next] = observation.costUsd;
    this.success[this.next] = observation.success ? 1 : 0;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
    this.cached = undefined;
  }

  aggregates(): Aggregates {
    this.cached ??= this.compute();
    return this.cached;
  }

  private compute(): Aggregates {
    // Slots 0..size-1 hold the window whether or not the ring has wrapped; order does not matter here.
    const latencies: number[] = [];
    let costSum = 0;
    for (let i = 0; i < this.size; i += 1) {
      if (this.success[i] === 1) {
        latencies.push(this.latency[i] as number);
        costSum += this.cost[i] as number;
      }
    }
    latencies.sort((a, b) => a - b);
    const successes = latencies.length;
    return {
      count: this.size,
      successRate: this.size === 0 ? undefined : successes / this.size,
      latencyP50Ms: percentile(latencies, 50),
      latencyP95Ms: percentile(latencies, 95),
      meanCostUsd: successes === 0 ? undefined : costSum / successes,
    };
  }
}

/**
 * Nearest-rank percentile of ascending `sorted`: the smallest value with at least p % of the values at
 * or below it (index ⌈p/100·n⌉ − 1). Always an observed value, never an interpolation.
 */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
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
  private readonly series = new Map<string, Series>();

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
      series = new Series(this.window);
    } else {
      this.series.delete(key);
    }
    this.series.set(key, series);
    series.record(observation);
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
