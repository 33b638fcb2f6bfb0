/**
 * The subset of pino's logger the resilience layer writes to. Structural, so a pino `Logger`, a
 * child logger, or a test recorder all fit without this folder depending on pino.
 */
export interface LoggerLike {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}
