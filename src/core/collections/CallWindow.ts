/**
 * Nearest-rank percentile of ascending `sorted`: the smallest value with at least p % of the values at
 * or below it (index ⌈p/100·n⌉ − 1). Always an observed value, never an interpolation; the archive's
 * SQL statistics use the same rule.
 */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** What a window says about one (task kind, model). */
export interface WindowAggregates {
  count: number;
  successRate: number | undefined;
  latencyP50Ms: number | undefined;
  latencyP95Ms: number | undefined;
  meanCostUsd: number | undefined;
}

/**
 * The last `capacity` calls of one (task kind, model), in a ring buffer of typed arrays: adding is
 * O(1) and allocation-free; aggregates are computed on read (O(n log n) for the percentiles) and
 * cached until the next call is added, since selection reads far more often than calls end. Used by
 * the in-memory statistics and by the archive's. Success rate
 * counts every call; latency and cost count successful calls only (a failure's latency says when
 * it failed, not how fast the model answers).
 */
export class CallWindow {
  private readonly latency: Float64Array;
  private readonly cost: Float64Array;
  private readonly success: Uint8Array;
  private next = 0;
  private size = 0;
  private cached: WindowAggregates | undefined;

  constructor(private readonly capacity: number) {
    this.latency = new Float64Array(capacity);
    this.cost = new Float64Array(capacity);
    this.success = new Uint8Array(capacity);
  }

  add(success: boolean, latencyMs: number, costUsd: number): void {
    this.latency[this.next] = latencyMs;
    this.cost[this.next] = costUsd;
    this.success[this.next] = success ? 1 : 0;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
    this.cached = undefined;
  }

  aggregates(): WindowAggregates {
    this.cached ??= this.compute();
    return this.cached;
  }

  private compute(): WindowAggregates {
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
