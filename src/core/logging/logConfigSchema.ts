import { z } from 'zod';

/** pino's levels, quietest last; `silent` turns logging off. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A size pino-roll understands: a number of megabytes, or digits with a `b`, `k`, `m` or `g` unit. */
const sizeSchema = z.union([
  z.string().regex(/^(?:\d+|\d+\.\d+)[bkmg]?$/i, 'use a size such as "10m", "512k" or "1g"'),
  z.number().positive(),
]);

export const logFileConfigSchema = z.strictObject({
  /** Write a log file besides the console. */
  enabled: z.boolean().default(true),
  /** Folder of the files; relative paths are resolved against the LocalAgent home. Default: `<home>/logs`. */
  dir: z.string().min(1).optional(),
  /** Start a new file once the current one reaches this size. A bare number means megabytes. */
  max_size: sizeSchema.default('10m'),
  /** Also start a new file every day, every hour, or every N milliseconds. */
  frequency: z.union([z.enum(['daily', 'hourly']), z.number().int().min(100)]).default('daily'),
  /** How many finished files to keep besides the one being written; older ones are deleted. */
  keep: z.number().int().min(1).max(1000).default(7),
});

/** The `log` section of the configuration. */
export const logConfigSchema = z.strictObject({
  /** The quietest level written: trace, debug, info, warn, error, fatal, or silent. */
  level: z.enum(LOG_LEVELS).default('info'),
  /** Console format: JSON lines, human-readable, or `auto` (pretty on a terminal, JSON otherwise). */
  format: z.enum(['json', 'pretty', 'auto']).default('auto'),
  /** The `service` field of every line, for log platforms that group by service. */
  service: z.string().min(1).default('localagent'),
  /** When error lines carry the stack: `auto` at debug and trace levels only, or always, or never. */
  error_stack: z.enum(['auto', 'always', 'never']).default('auto'),
  file: logFileConfigSchema.prefault({}),
});

/** The validated `log` section, defaults applied. */
export type LogConfig = z.infer<typeof logConfigSchema>;
/** The `log` section as written in a file: every field optional. */
export type LogConfigInput = z.input<typeof logConfigSchema>;
export type LogFileConfig = z.infer<typeof logFileConfigSchema>;
