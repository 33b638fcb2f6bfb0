// LogContext alone, not the logging index: the index loads pino.
import { LogContext } from '../logging/LogContext.js';
import type { LoggerLike } from '../resilience/index.js';
import { createNoopTracer } from './createNoopTracer.js';
import { readTelemetryConfig } from './readTelemetryConfig.js';
import type { TraceCarrier, Tracer } from './Tracer.js';

export interface CreateTracerOptions {
  /** Where the `OTEL_*` variables are read from (the app's environment). */
  env: NodeJS.ProcessEnv;
  /** Where configuration warnings and collector outages are reported. */
  logger: LoggerLike;
  /** Carries the current span across async calls: the app's LogContext (default: a new one). */
  context?: TraceCarrier;
  /** Told every exporter header value (they are credentials), so logs and errors never show them. */
  onSecret?: (value: string) => void;
}

/**
 * The app's tracer: OpenTelemetry when the environment asks for it (see `readTelemetryConfig`),
 * else a no-op. The SDK is imported only in the first case, so tracing off costs nothing to load.
 * Throws `LA_CONFIG_INVALID` for an endpoint that is not an http(s) URL.
 */
export async function createTracer(options: CreateTracerOptions): Promise<Tracer> {
  const config = readTelemetryConfig(options.env);
  if (!config.enabled) return createNoopTracer();
  for (const value of Object.values(config.headers)) options.onSecret?.(value);
  const userinfo = new URL(config.endpoint).password;
  // Both spellings: the URL keeps it percent-encoded, a message might show it decoded.
  if (userinfo.length > 0) for (const spelling of new Set([userinfo, safeDecode(userinfo)])) options.onSecret?.(spelling);
  const { createOtelTracer } = await import('./otel/createOtelTracer.js');
  return createOtelTracer(config, options.logger, options.context ?? new LogContext());
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
