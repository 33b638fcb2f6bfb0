import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { LoggerLike } from '../../resilience/index.js';

type ExportCallback = Parameters<SpanExporter['export']>[1];
type ExportResult = Parameters<ExportCallback>[0];

/** `ExportResultCode.SUCCESS` of @opentelemetry/core, which is not a dependency of its own. */
const SUCCESS = 0;
const FAILED = 1;

export interface WatchedExporterOptions {
  /** Exports while the process runs (the configured timeout, with the exporter's retries). */
  regular: SpanExporter;
  /** Made on first use once shutting down: the same collector with a short timeout, so an exit waits little. */
  final: () => SpanExporter;
  /** Where the collector is, for the warning (no path, query or credentials). */
  collector: string;
  logger: LoggerLike;
}

/**
 * Stands between the batch processor and the OTLP exporter to watch the collector: the first failed
 * export of an outage is logged once as a warning (the reason only, never a stack), the recovery once
 * as info with the number of spans lost in between. When the process is shutting down, the last
 * batches go through an exporter with a short timeout, and are dropped outright if the collector is
 * known to be down, so a missing collector does not hold up `serve`'s shutdown or a CLI command's exit.
 */
export class WatchedExporter implements SpanExporter {
  private down = false;
  private dropped = 0;
  private stopping = false;
  private finalExporter: SpanExporter | undefined;

  constructor(private readonly options: WatchedExporterOptions) {}

  export(spans: ReadableSpan[], done: ExportCallback): void {
    if (this.stopping && this.down) {
      this.dropped += spans.length;
      done({ code: FAILED, error: new Error('the collector is down') } as ExportResult);
      return;
    }
    const target = this.stopping ? (this.finalExporter ??= this.options.final()) : this.options.regular;
    target.export(spans, (result) => {
      this.observe(result, spans.length);
      done(result);
    });
  }

  /** From now on, exports are the last ones. */
  beginShutdown(): void {
    this.stopping = true;
  }

  async forceFlush(): Promise<void> {
    await Promise.all([this.options.regular.forceFlush?.(), this.finalExporter?.forceFlush?.()]);
  }

  async shutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all([this.options.regular.shutdown(), this.finalExporter?.shutdown()]);
    if (this.down && this.dropped > 0) {
      // Info, not a second warning: the outage was reported when it began.
      this.options.logger.info({ collector: this.options.collector, dropped_spans: this.dropped }, 'Spans were not delivered: the trace collector was down until the exit.');
    }
  }

  private observe(result: ExportResult, count: number): void {
    if (result.code === SUCCESS) {
      if (this.down) {
        this.options.logger.info({ collector: this.options.collector, dropped_spans: this.dropped }, 'Traces reach the collector again.');
        this.down = false;
        this.dropped = 0;
      }
      return;
    }
    this.dropped += count;
    if (this.down) return;
    this.down = true;
    this.options.logger.warn(
      { collector: this.options.collector, reason: reasonOf(result.error) },
      'Traces cannot be sent to the collector; spans are dropped until it answers (this is logged once per outage). Requests and runs are not affected.',
    );
  }
}

/** A short, stack-free reason: the network error code or HTTP status and the first line of the message. */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return 'export failed';
  const { code } = error as { code?: unknown };
  const first = error.message.split('\n')[0]?.slice(0, 200) ?? '';
  const prefix = typeof code === 'string' || typeof code === 'number' ? `${String(code)}: ` : '';
  return `${prefix}${first}`.trim() || 'export failed';
}
