import {
  ExponentialBackoff,
  decorrelatedJitterGenerator,
  noJitterGenerator,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
} from 'cockatiel';
import { RateLimitError } from '../errors/index.js';
import type { RetryConfig } from './config.js';

export type RetryBackoffContext = IRetryBackoffContext<unknown>;

/** The wait a failure asks for (a 429's `Retry-After`), if any. */
export function retryAfterMsOf(error: unknown): number | undefined {
  return error instanceof RateLimitError ? error.retryAfterMs : undefined;
}

/**
 * A cockatiel backoff that never waits less than the failure's `Retry-After`. It wraps another
 * backoff rather than replacing it, so the exponential sequence keeps advancing underneath: after a
 * 429 the next plain failure still gets its normal, longer wait. Deliberately not capped by
 * `max_delay_ms` — the provider's word wins; `max_retry_after_ms` is enforced by refusing to retry.
 */
export class RetryAfterBackoff implements IBackoffFactory<RetryBackoffContext> {
  constructor(private readonly inner: IBackoffFactory<RetryBackoffContext>) {}

  next(context: RetryBackoffContext): IBackoff<RetryBackoffContext> {
    return withRetryAfter(this.inner.next(context), context);
  }
}

function withRetryAfter(inner: IBackoff<RetryBackoffContext>, context: RetryBackoffContext): IBackoff<RetryBackoffContext> {
  const hint = 'error' in context.result ? retryAfterMsOf(context.result.error) : undefined;
  return {
    duration: Math.max(inner.duration, hint ?? 0),
    next: (nextContext) => withRetryAfter(inner.next(nextContext), nextContext),
  };
}

/**
 * The backoff for a retry config: cockatiel's exponential backoff starting near `base_delay_ms` and
 * capped at `max_delay_ms`, with decorrelated jitter (cockatiel's default, see Polly #530) unless
 * `jitter` is false, in which case it is exactly base, 2×base, 4×base…; floored by Retry-After.
 */
export function createRetryBackoff(config: RetryConfig): IBackoffFactory<RetryBackoffContext> {
  const shape = { initialDelay: config.base_delay_ms, maxDelay: config.max_delay_ms };
  const exponential: IBackoffFactory<unknown> = config.jitter
    ? new ExponentialBackoff({ ...shape, generator: decorrelatedJitterGenerator })
    : new ExponentialBackoff({ ...shape, generator: noJitterGenerator });
  return new RetryAfterBackoff(exponential);
}
