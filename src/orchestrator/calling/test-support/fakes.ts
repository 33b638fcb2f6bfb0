import { cancellationError, type Clock, type LoggerLike } from '../../../core/resilience/index.js';
import type { CallObservation, ModelStats, StatsSnapshot } from '../../types/index.js';

/** Keeps every observation. */
export class RecordingStats implements ModelStats {
  readonly observations: CallObservation[] = [];

  record(observation: CallObservation): void {
    this.observations.push(observation);
  }

  get(taskKind: string, model: string): StatsSnapshot {
    const mine = this.observations.filter((o) => o.taskKind === taskKind && o.model === model);
    return {
      model,
      taskKind,
      count: mine.length,
      successRate: mine.length ? mine.filter((o) => o.success).length / mine.length : undefined,
      latencyP50Ms: undefined,
      latencyP95Ms: undefined,
      meanCostUsd: undefined,
    };
  }
}

/** Keeps every log line, serialised, so tests can search them for secrets. */
export class RecordingLogger implements LoggerLike {
  readonly lines: string[] = [];
  debug(obj: Record<string, unknown>, msg: string): void {
    this.lines.push(JSON.stringify({ level: 'debug', msg, ...obj }));
  }
  info(obj: Record<string, unknown>, msg: string): void {
    this.lines.push(JSON.stringify({ level: 'info', msg, ...obj }));
  }
  warn(obj: Record<string, unknown>, msg: string): void {
    this.lines.push(JSON.stringify({ level: 'warn', msg, ...obj }));
  }
  error(obj: Record<string, unknown>, msg: string): void {
    this.lines.push(JSON.stringify({ level: 'error', msg, ...obj }));
  }
}

/** Real time, but retry waits return at once and are recorded, so tests see what was asked without waiting. */
export class InstantClock implements Clock {
  readonly sleeps: number[] = [];
  now(): number {
    return Date.now();
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.reject(cancellationError(signal));
    return Promise.resolve();
  }
}

/** Resolves when `predicate` holds, polling; for waiting on the server's view of requests. */
export async function until(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
