import pLimit, { type LimitFunction } from 'p-limit';
import { cancellationError } from '../../core/resilience/index.js';

/** Gives a slot back. Idempotent. */
export type Release = () => void;

/**
 * At most N requests in flight per key (provider), the rest queued in arrival order, on p-limit.
 *
 * p-limit runs a function while it holds a slot; a stream needs its slot from the request until the
 * stream is fully read, long after any function we could hand it has returned. So `acquire` runs a
 * task that holds the slot until `release` is called, and resolves once the task starts. A caller
 * that aborts while queued is rejected at once; its task, when its turn comes, gives the slot back
 * immediately (p-limit cannot remove a queued task).
 */
export class ConcurrencyLimiter {
  private readonly limits = new Map<string, LimitFunction>();

  /** Waits for a slot for `key` (limit `max`; a changed limit applies to later waits). */
  acquire(key: string, max: number, signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(cancellationError(signal));
    const limit = this.limitFor(key, max);
    return new Promise<Release>((resolve, reject) => {
      let settled = false;
      const onAbort = (): void => {
        if (settled) return;
        settled = true;
        reject(cancellationError(signal as AbortSignal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      void limit(
        () =>
          new Promise<void>((done) => {
            signal?.removeEventListener('abort', onAbort);
            if (settled) {
              // Aborted while queued: pass the slot on.
              done();
              return;
            }
            settled = true;
            let released = false;
            resolve(() => {
              if (released) return;
              released = true;
              done();
            });
          }),
      );
    });
  }

  /** Runs `fn` holding a slot for `key`. */
  async run<T>(key: string, max: number, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire(key, max, signal);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Slots in use and callers waiting, for `models health` and tests. */
  load(key: string): { active: number; pending: number } {
    const limit = this.limits.get(key);
    return { active: limit?.activeCount ?? 0, pending: limit?.pendingCount ?? 0 };
  }

  private limitFor(key: string, max: number): LimitFunction {
    let limit = this.limits.get(key);
    if (!limit) {
      limit = pLimit(max);
      this.limits.set(key, limit);
    } else if (limit.concurrency !== max) {
      limit.concurrency = max;
    }
    return limit;
  }
}
