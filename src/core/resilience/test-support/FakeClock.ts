import type { Clock } from '../Clock.js';
import { cancellationError } from '../errors.js';

interface PendingSleep {
  until: number;
  resolve: () => void;
}

/**
 * A clock for tests. In `auto` mode a sleep advances time and resolves at once; in `manual` mode it
 * waits for `advance()`. Either way every requested wait is recorded in `sleeps`, and a sleep
 * rejects as soon as its signal aborts, like `SystemClock`.
 */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  private current: number;
  private pending: PendingSleep[] = [];

  constructor(
    private readonly mode: 'auto' | 'manual' = 'auto',
    start = Date.UTC(2025, 0, 1),
  ) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Number of sleeps not yet resolved (manual mode). */
  get waiting(): number {
    return this.pending.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.reject(cancellationError(signal));
    if (this.mode === 'auto') {
      this.current += ms;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry: PendingSleep = {
        until: this.current + ms,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.pending = this.pending.filter((p) => p !== entry);
        reject(cancellationError(signal as AbortSignal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.push(entry);
    });
  }

  advance(ms: number): void {
    this.current += ms;
    const due = this.pending.filter((p) => p.until <= this.current);
    this.pending = this.pending.filter((p) => p.until > this.current);
    for (const p of due) p.resolve();
  }
}
