import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's metrics, one registry per app instance (no global default registry, so tests and
 * several apps in one process never share counters). The gateway exposes `registry` at /metrics.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly counters = new Map<string, Counter<string>>();
  private readonly gauges = new Map<string, Gauge<string>>();
  private readonly histograms = new Map<string, Histogram<string>>();

  /** A counter, created on first use. Names follow Prometheus style: `localagent_<thing>_total`. */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter<string> {
    let metric = this.counters.get(name);
    if (!metric) {
      metric = new Counter({ name, help, labelNames, registers: [this.registry] });
      this.counters.set(name, metric);
    }
    return metric;
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge<string> {
    let metric = this.gauges.get(name);
    if (!metric) {
      metric = new Gauge({ name, help, labelNames, registers: [this.registry] });
      this.gauges.set(name, metric);
    }
    return metric;
  }

  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets?: number[]): Histogram<string> {
    let metric = this.histograms.get(name);
    if (!metric) {
      metric = new Histogram({ name, help, labelNames, registers: [this.registry], ...(buckets ? { buckets } : {}) });
      this.histograms.set(name, metric);
    }
    return metric;
  }

  /** The current value of a counter or gauge for the given labels (0 when never touched). */
  async valueOf(name: string, labels: Record<string, string> = {}): Promise<number> {
    const metric = this.counters.get(name) ?? this.gauges.get(name);
    if (!metric) return 0;
    const { values } = await metric.get();
    const match = values.find((v) => Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val));
    return match?.value ?? 0;
  }

  /** Prometheus text exposition. */
  async render(): Promise<string> {
    return this.registry.metrics();
  }
}
