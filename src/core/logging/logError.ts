import type { Logger } from 'pino';
import { toLocalAgentError, type LocalAgentError } from '../errors/index.js';
import type { Metrics } from '../metrics/index.js';

export interface LogErrorOptions {
  /** Where `localagent_errors_total{code,category}` is counted. */
  metrics?: Metrics | undefined;
  /** The line's message; default: the error's own message. */
  message?: string;
  /** Extra fields for the line. */
  fields?: Record<string, unknown>;
  /** Default `error`. */
  level?: 'warn' | 'error' | 'fatal';
}

export const ERRORS_METRIC = 'localagent_errors_total';

/**
 * Logs an error with its code, category and suggestion (anything not a `LocalAgentError` is first
 * wrapped as `LA_INTERNAL`, the original kept as `cause`), counts it by code and category, and
 * returns the `LocalAgentError` so callers can go on to print or rethrow it.
 */
export function logError(logger: Logger, thrown: unknown, options: LogErrorOptions = {}): LocalAgentError {
  const error = toLocalAgentError(thrown);
  const level = options.level ?? 'error';
  if (options.message === undefined) logger[level]({ ...options.fields, error });
  else logger[level]({ ...options.fields, error }, options.message);
  options.metrics
    ?.counter(ERRORS_METRIC, 'Errors logged, by stable error code and category.', ['code', 'category'])
    .inc({ code: error.code, category: error.category });
  return error;
}
