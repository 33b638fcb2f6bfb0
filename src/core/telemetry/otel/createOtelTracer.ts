import { readFileSync } from 'node:fs';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-node';
import type { LoggerLike } from '../../resilience/index.js';
import type { TelemetrySettings } from '../readTelemetryConfig.js';
import type { TraceCarrier, Tracer } from '../Tracer.js';
import { OtelTracer } from './OtelTracer.js';
import { WatchedExporter } from './WatchedExporter.js';

type ExporterConfig = NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>;

/** The last export at shutdown waits at most this long (or the configured timeout, if shorter). */
const FINAL_EXPORT_TIMEOUT_MS = 2000;

function samplerOf(settings: TelemetrySettings['sampler']): Sampler {
  switch (settings.name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(settings.ratio);
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.ratio) });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/** LocalAgent's version from package.json, beside `src/` or `dist/`. */
function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Scheme, host and port: enough to say which collector, without a path, query or credentials. */
function collectorOf(endpoint: string): string {
  const url = new URL(endpoint);
  return `${url.protocol}//${url.host}`;
}

/**
 * Builds the OpenTelemetry SDK for the app: a tracer provider with the configured sampler and
 * resource, a batch span processor (spans are queued and sent in the background, so a slow or
 * missing collector never holds up a request), and the OTLP/HTTP JSON exporter behind a
 * `WatchedExporter`. Nothing is registered globally.
 */
export function createOtelTracer(settings: TelemetrySettings, logger: LoggerLike, carrier: TraceCarrier): Tracer {
  const version = packageVersion();
  const exporterConfig = (timeoutMillis: number): ExporterConfig => ({
    url: settings.endpoint,
    headers: { ...settings.headers },
    timeoutMillis,
    compression: settings.compression as ExporterConfig['compression'],
    userAgent: `localagent/${version}`,
  });
  const finalTimeoutMs = Math.min(settings.timeoutMs, FINAL_EXPORT_TIMEOUT_MS);
  const exporter = new WatchedExporter({
    regular: new OTLPTraceExporter(exporterConfig(settings.timeoutMs)),
    final: () => new OTLPTraceExporter(exporterConfig(finalTimeoutMs)),
    collector: collectorOf(settings.endpoint),
    logger,
  });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ ...settings.resourceAttributes, 'service.name': settings.serviceName, 'service.version': version }),
    sampler: samplerOf(settings.sampler),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        scheduledDelayMillis: settings.batch.scheduledDelayMs,
        maxQueueSize: settings.batch.maxQueueSize,
        maxExportBatchSize: settings.batch.maxExportBatchSize,
        exportTimeoutMillis: settings.batch.exportTimeoutMs,
      }),
    ],
  });
  for (const warning of settings.warnings) logger.warn({ setting: warning.slice(0, warning.indexOf(':')) }, warning);
  logger.info({ collector: collectorOf(settings.endpoint), service: settings.serviceName, sampler: settings.sampler.name }, 'Tracing is on: spans go to the OTLP collector.');
  return new OtelTracer({ provider, carrier, exporter, version, shutdownTimeoutMs: finalTimeoutMs + 1000 });
}
