import { setMaxListeners } from 'node:events';
import { handleWhen, retry, type IBackoff, type IBackoffFactory, type IRetryContext, type RetryPolicy } from 'cockatiel';
import type { Counter } from 'prom-client';
import { CircuitOpenError, isTransient, type LocalAgentError, toLocalAgentError } from '../errors/index.js';
import type { Metrics } from '../metrics/index.js';
import { BreakerRegistry } from './BreakerRegistry.js';
import { SystemClock, type Clock } from './Clock.js';
import { parseResilienceConfig, type BreakerConfigInput, type RetryConfig, type RetryConfigInput } from './config.js';
import { cancellationError } from './errors.js';
import type { LoggerLike } from './LoggerLike.js';
import { FALLBACKS_TOTAL, RETRIES_TOTAL } from './metricNames.js';
import { createRetryBackoff, retryAfterMsOf, type RetryBackoffContext } from './RetryAfterBackoff.js';

/** What each attempt of the wrapped operation receives. */
export interface AttemptContext {
  /** Aborts when the caller aborts or, for a half-open probe, when `probe_timeout_ms` passes. Pass it on. */
  signal: AbortSignal;
  /** 1 for the first call, 2 for the first retry… */
  attempt: number;
}

export interface ExecuteOptions<T> {
  /** Cancels the whole execution: the running attempt (via its signal), any retry wait, and retries. */
  signal?: AbortSignal | undefined;
  /**
   * Runs instead of failing when the final error passes `fallbackWhen` (by default: transient, i.e.
   * the circuit is open, retries are exhausted, or a Retry-After was too long). Receives that error.
   */
  fallback?: ((error: LocalAgentError) => T | Promise<T>) | undefined;
  /** Overrides the retry settings for this call only. */
  retry?: Partial<RetryConfigInput> | undefined;
}

/** How an execution ended, for callers that record it (attempt counts in `.last`, fallback marks). */
export type ExecuteOutcome<T> =
  | { value: T; usedFallback: false; attempts: number }
  | { value: T; usedFallback: true; attempts: number; /** The failure the fallback replaced. */ error: LocalAgentError };

export interface ResilienceOptions {
  retry?: RetryConfigInput | undefined;
  /** Breaker settings for the registry this creates; ignored when `breakers` is given. */
  breaker?: BreakerConfigInput | undefined;
  /** A registry shared with other readers (e.g. `models health`); created from `breaker` if absent. */
  breakers?: BreakerRegistry | undefined;
  logger?: LoggerLike | undefined;
  metrics?: Metrics | undefined;
  clock?: Clock | undefined;
  /** Which failures count towards opening a breaker (only used when this creates the registry). */
  countsAsFailure?: ((error: unknown) => boolean) | undefined;
  /** Which final errors the fallback may replace. Defaults to transient ones. */
  fallbackWhen?: ((error: LocalAgentError) => boolean) | undefined;
}

interface RetryPlan {
  config: RetryConfig;
  policy: RetryPolicy;
  backoff: IBackoffFactory<RetryBackoffContext>;
}

/**
 * Retry with backoff around a per-key circuit breaker, with an optional fallback.
 *
 * Order: fallback(retry(breaker(fn))). Retry is outside the breaker so each attempt is one breaker
 * call — failures count once each, and an open breaker ends the retry loop at once (its
 * `CircuitOpenError` is never retried, and a retry is not even waited for when the breaker is
 * already refusing). Breaker inside retry would make a whole retry sequence count as one failure
 * and hide how often the provider actually fails.
 *
 * Built on cockatiel's `RetryPolicy` for the loop, the retry decision and attempt limits. Its
 * inter-attempt delay (3.2.1) is a plain `setTimeout` that ignores the AbortSignal, which would let
 * an aborted call hang through a 60 s Retry-After; so the policy gets no backoff of its own and each
 * retry starts by waiting on the injected, abortable `Clock` for the duration our cockatiel backoff
 * (`createRetryBackoff`) computes.
 */
export class Resilience {
  readonly breakers: BreakerRegistry;
  readonly retryConfig: RetryConfig;
  private readonly defaultPlan: RetryPlan;
  private readonly clock: Clock;
  private readonly logger: LoggerLike | undefined;
  private readonly retries: Counter<string> | undefined;
  private readonly fallbacks: Counter<string> | undefined;
  private readonly fallbackWhen: (error: LocalAgentError) => boolean;
  /** Stands in for "no caller signal" inside the policies; never aborted and never handed to `fn`. */
  private readonly idleSignal = new AbortController().signal;

  constructor(options: ResilienceOptions = {}) {
    this.retryConfig = parseResilienceConfig({ retry: options.retry ?? {} }).retry;
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger;
    this.breakers =
      options.breakers ??
      new BreakerRegistry({
        breaker: options.breaker,
        clock: this.clock,
        logger: options.logger,
        metrics: options.metrics,
        countsAsFailure: options.countsAsFailure,
      });
    this.retries = options.metrics?.counter(RETRIES_TOTAL, 'Retries of failed attempts, by key.', ['key']);
    this.fallbacks = options.metrics?.counter(FALLBACKS_TOTAL, 'Fallbacks used instead of a failed result, by key.', ['key']);
    this.fallbackWhen = options.fallbackWhen ?? isTransient;
    this.defaultPlan = this.plan(this.retryConfig);
    // Half-open probes on many keys at once each derive a timeout signal from it, briefly listening.
    setMaxListeners(0, this.idleSignal);
  }

  /** Runs `fn` under retry and the breaker for `key`; returns its value or the fallback's. */
  async execute<T>(key: string, fn: (ctx: AttemptContext) => Promise<T> | T, options?: ExecuteOptions<T>): Promise<T> {
    return (await this.executeDetailed(key, fn, options)).value;
  }

  /** Like `execute`, but also says how many attempts ran and whether the fallback was used. */
  async executeDetailed<T>(key: string, fn: (ctx: AttemptContext) => Promise<T> | T, options: ExecuteOptions<T> = {}): Promise<ExecuteOutcome<T>> {
    const signal = options.signal ?? this.idleSignal;
    const plan = options.retry ? this.plan(parseResilienceConfig({ retry: { ...this.retryConfig, ...options.retry } }).retry) : this.defaultPlan;
    const breaker = this.breakers.get(key);
    let attempts = 0;
    let lastError: unknown;
    let backoff: IBackoff<RetryBackoffContext> | undefined;

    let ownSignal: AbortSignal | undefined;
    const callFn = ({ signal: attemptSignal }: { signal: AbortSignal }): Promise<T> | T => {
      attempts += 1;
      if (attemptSignal !== this.idleSignal) return fn({ signal: attemptSignal, attempt: attempts });
      // The caller gave no signal and this is not a probe. The attempt still gets a signal of its own,
      // not the shared idle one: callees add abort listeners, and a shared never-aborted signal would
      // collect them across calls. Created on first read because an AbortController costs ~2 µs,
      // more than the rest of this wrapper.
      const attemptNumber = attempts;
      return fn({
        attempt: attemptNumber,
        get signal(): AbortSignal {
          ownSignal ??= new AbortController().signal;
          return ownSignal;
        },
      });
    };

    const attempt = async ({ attempt: retryIndex }: IRetryContext): Promise<T> => {
      if (retryIndex > 0) {
        if (breaker.rejecting) throw breaker.openError(lastError);
        // The policy only retries errors that passed `shouldRetry`, which are LocalAgentErrors.
        const context: RetryBackoffContext = { attempt: retryIndex, signal, result: { error: lastError as LocalAgentError } };
        backoff = backoff ? backoff.next(context) : plan.backoff.next(context);
        this.retries?.inc({ key });
        this.logger?.debug(
          { key, attempt: attempts + 1, delay_ms: Math.round(backoff.duration), error_code: (lastError as LocalAgentError).code },
          'retrying after a transient failure',
        );
        await this.clock.sleep(backoff.duration, signal);
      }
      try {
        return await breaker.execute(callFn, signal);
      } catch (error) {
        lastError = error;
        throw error;
      }
    };

    if (signal.aborted) throw cancellationError(signal);
    try {
      const value = await plan.policy.execute(attempt, signal);
      return { value, usedFallback: false, attempts };
    } catch (thrown) {
      const error = signal.aborted ? cancellationError(signal) : toLocalAgentError(thrown);
      const retryAfter = retryAfterMsOf(error);
      if (retryAfter !== undefined && retryAfter > plan.config.max_retry_after_ms) {
        this.logger?.info(
          { key, retry_after_ms: retryAfter, max_retry_after_ms: plan.config.max_retry_after_ms },
          'not waiting for a Retry-After longer than the configured maximum',
        );
      }
      if (!options.fallback || !this.fallbackWhen(error)) throw error;
      this.fallbacks?.inc({ key });
      this.logger?.info({ key, attempts, error_code: error.code }, 'using fallback');
      try {
        const value = await options.fallback(error);
        return { value, usedFallback: true, attempts, error };
      } catch (fallbackError) {
        throw toLocalAgentError(fallbackError);
      }
    }
  }

  private plan(config: RetryConfig): RetryPlan {
    const policy = retry(
      handleWhen((error) => shouldRetry(error, config)),
      // cockatiel counts retries, our config counts tries.
      { maxAttempts: config.max_attempts - 1 },
    );
    return { config, policy, backoff: createRetryBackoff(config) };
  }
}

/**
 * Transient errors only (`isTransient`: a non-LocalAgent error is a bug, not bad luck), except a
 * refusal from our own breaker (retrying it just spins) and a Retry-After beyond the configured
 * maximum (waiting that long would look like a hang; failing lets a fallback take over).
 */
export function shouldRetry(error: unknown, config: Pick<RetryConfig, 'max_retry_after_ms'>): boolean {
  if (!isTransient(error) || error instanceof CircuitOpenError) return false;
  const retryAfter = retryAfterMsOf(error);
  return retryAfter === undefined || retryAfter <= config.max_retry_after_ms;
}
