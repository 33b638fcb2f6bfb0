import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { LogContext, LogFields } from './LogContext.js';

/** Extra fields for the span's own log line (never secret: they are redacted anyway, but say what, not with what). */
export type SpanFields = Record<string, string | number | boolean | undefined>;

/**
 * Runs `fn` as a named operation and logs one line when it ends: `span`, `duration_ms`, and
 * `outcome` (`ok`, or `error` at error level with the serialised error and its code). Returns what `fn` returns and
 * rethrows what it throws, untouched.
 *
 * With a `context`, `fn` runs in a child span: a new `span_id` (its parent's becomes
 * `parent_span_id`, and a `trace_id` is started if there is none), so every line `fn` writes can be
 * tied to this one.
 */
export async function withSpan<T>(
  logger: Logger,
  name: string,
  fn: () => T | Promise<T>,
  fields: SpanFields = {},
  context?: LogContext,
): Promise<T> {
  if (context === undefined) return timed(logger, name, fn, fields);
  const outer = context.get();
  const spanFields: LogFields = {
    trace_id: outer.trace_id ?? randomBytes(16).toString('hex'),
    span_id: randomBytes(8).toString('hex'),
    parent_span_id: outer.span_id,
  };
  return context.run(spanFields, () => timed(logger, name, fn, fields));
}

async function timed<T>(logger: Logger, name: string, fn: () => T | Promise<T>, fields: SpanFields): Promise<T> {
  const start = performance.now();
  try {
    const result = await fn();
    logger.info({ ...fields, span: name, outcome: 'ok', duration_ms: elapsed(start) }, `${name} ok`);
    return result;
  } catch (error) {
    logger.error({ ...fields, span: name, outcome: 'error', duration_ms: elapsed(start), error }, `${name} failed`);
    throw error;
  }
}

/** Milliseconds with microsecond precision; more digits would be noise. */
function elapsed(start: number): number {
  return Math.round((performance.now() - start) * 1000) / 1000;
}
