import type { LoggerLike } from '../LoggerLike.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string;
}

/** Keeps every log call for assertions. */
export class RecordingLogger implements LoggerLike {
  readonly lines: LogLine[] = [];

  debug(obj: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: 'debug', obj, msg });
  }
  info(obj: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: 'info', obj, msg });
  }
  warn(obj: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: 'warn', obj, msg });
  }
  error(obj: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: 'error', obj, msg });
  }

  /** The `{key, from, to}` of every transition line, in order. */
  transitions(): Array<{ key: unknown; from: unknown; to: unknown }> {
    return this.lines.filter((l) => 'from' in l.obj && 'to' in l.obj).map((l) => ({ key: l.obj['key'], from: l.obj['from'], to: l.obj['to'] }));
  }
}
