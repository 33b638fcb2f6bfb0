import type { Counter, Histogram } from 'prom-client';
import type { Metrics } from '../../core/metrics/index.js';
import type { StoredRunEvent } from '../../store/index.js';

/** Histogram `{method, route, status}`: seconds from the request arriving to the response sent. */
export const HTTP_REQUEST_SECONDS = 'localagent_http_request_duration_seconds';
/** Counter `{method, route, status}`: responses sent. */
export const HTTP_REQUESTS_TOTAL = 'localagent_http_requests_total';
/** Counter `{status}`: runs that ended (or paused) in this process, by status. */
export const RUNS_TOTAL = 'localagent_runs_total';
/** Counter `{status}`: task state changes in this process (`succeeded`, `failed`, `waiting_approval`…). */
export const TASKS_TOTAL = 'localagent_tasks_total';

const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The gateway's own metrics; model calls, tokens, cost and breakers are counted where they happen. */
export class GatewayMetrics {
  private readonly duration: Histogram<string>;
  private readonly requests: Counter<string>;
  private readonly runs: Counter<string>;
  private readonly tasks: Counter<string>;

  constructor(metrics: Metrics) {
    this.duration = metrics.histogram(HTTP_REQUEST_SECONDS, 'HTTP request duration by route and status.', ['method', 'route', 'status'], HTTP_BUCKETS);
    this.requests = metrics.counter(HTTP_REQUESTS_TOTAL, 'HTTP requests by route and status.', ['method', 'route', 'status']);
    this.runs = metrics.counter(RUNS_TOTAL, 'Runs that finished or paused, by status.', ['status']);
    this.tasks = metrics.counter(TASKS_TOTAL, 'Task state changes, by status.', ['status']);
  }

  request(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.duration.observe(labels, seconds);
    this.requests.inc(labels);
  }

  runEvent(event: StoredRunEvent): void {
    if (event.type === 'run_finished') {
      const status = (event.data as { status?: unknown } | undefined)?.status;
      this.runs.inc({ status: typeof status === 'string' ? status : 'unknown' });
    } else if (event.type === 'run_paused') {
      this.runs.inc({ status: 'waiting_approval' });
    } else if (event.type === 'run_started') {
      this.runs.inc({ status: 'started' });
    } else if (event.type.startsWith('task_')) {
      this.tasks.inc({ status: event.type.slice('task_'.length) });
    }
  }
}
