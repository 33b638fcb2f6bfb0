import { prettyFactory } from 'pino-pretty';
import { pino } from 'pino';

/** Anything log lines can be written to: a stream, a SonicBoom, a test's array collector. */
export interface LogStream {
  write(line: string): unknown;
  /** Set on terminals; decides the `auto` format. */
  isTTY?: boolean;
}

export interface ConsoleSinkOptions {
  format: 'json' | 'pretty' | 'auto';
  /** Where lines go. Default: standard error, since standard output carries command results (`--json`). */
  stream?: LogStream;
  /** Overrides `stream.isTTY` (a CLI flag, a test). */
  isTTY?: boolean;
}

export interface ConsoleSink {
  /** The format chosen once `auto` is resolved. */
  readonly format: 'json' | 'pretty';
  write(line: string): void;
}

/**
 * The console side of logging. Pretty output is formatted in this thread with pino-pretty's
 * formatter and written synchronously: no worker thread, nothing lost or reordered on exit.
 */
export function createConsoleSink(options: ConsoleSinkOptions): ConsoleSink {
  // Synchronous on purpose: console lines must be out before the CLI exits or crashes.
  const stream: LogStream = options.stream ?? pino.destination({ fd: 2, sync: true });
  const tty = options.isTTY ?? (options.stream === undefined ? process.stderr.isTTY : stream.isTTY) === true;
  const format = options.format === 'auto' ? (tty ? 'pretty' : 'json') : options.format;
  if (format === 'json') {
    return { format, write: (line) => void stream.write(line) };
  }
  const pretty = prettyFactory({
    colorize: tty,
    messageKey: 'message',
    timestampKey: '@timestamp',
    errorLikeObjectKeys: ['error'],
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service',
  });
  return { format, write: (line) => void stream.write(pretty(line)) };
}
