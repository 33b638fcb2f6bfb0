import {
  ConsecutiveBreaker,
  EventEmitter,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  type IDefaultPolicyContext,
  type IFailureEvent,
  type IPolicy,
  type ISuccessEvent,
  type TimeoutPolicy,
} from 'cockatiel';
import type { Counter, Gauge } from 'prom-client';
import { CircuitOpenError, type ErrorCategory, LocalAgentError, TimeoutError } from '../errors/index.js';
import type { Metrics } from '../metrics/index.js';
import type { Clock } from './Clock.js';
import type { BreakerConfig } from './config.js';
import { cancellationError } from './errors.js';
import type { LoggerLike } from './LoggerLike.js';
import { BREAKER_STATE, BREAKER_TRANSITIONS_TOTAL } from './metricNames.js';

export type BreakerState = 'closed' | 'half_open' | 'open';

/** Value of the `localagent_breaker_state` gauge for each state. */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, half_open: 1, open: 2 };

/** One state change, as emitted by `onStateChange`. */
export interface BreakerTransition {
  key: string;
  from: BreakerState;
  to: BreakerState;
  /** Clock time of the change, ms since the epoch. */
  at: number;
}

/** A breaker's state as `models health` shows it. Plain JSON, no secrets (codes only, no messages). */
export interface BreakerSnapshot {
  key: string;
  state: BreakerState;
  /** Consecutive counted failures since the last success. */
  failures: number;
  failure_threshold: number;
  /** Successful probes so far in the current half-open period. */
  half_open_successes: number;
  success_threshold: number;
  /** Whether the single half-open probe is running now. */
  probe_in_flight: boolean;
  /** ISO time the circuit last opened; null while closed. */
  opened_at: string | null;
  /** ISO time from which a probe is allowed; null unless open. May be in the past: the next call probes. */
  next_probe_at: string | null;
  /** The last failure that counted against the breaker. */
  last_error: { code: string; category: ErrorCategory } | null;
}

export interface CircuitBreakerOptions {
  /** What the breaker protects, e.g. a provider name. Appears in logs, metrics and errors. */
  key: string;
  config: BreakerConfig;
  clock: Clock;
  logger?: LoggerLike | undefined;
  metrics?: Metrics | undefined;
  /** Which failures count towards opening; defaults to `countsAsBreakerFailure`. */
  countsAsFailure?: ((error: unknown) => boolean) | undefined;
}

/**
 * Whether a failure says something about the health of what the breaker protects. Transient
 * (timeouts, 429, 5xx, network) and system errors (including anything that is not a
 * `LocalAgentError`, which is unexpected by definition) count. User errors (bad input, 400s) and
 * permanent ones (bad key, unknown model) do not: the provider answered, and opening the circuit
 * would hide the real cause behind "provider unavailable".
 */
export function countsAsBreakerFailure(error: unknown): boolean {
  if (!(error instanceof LocalAgentError)) return true;
  return error.category === 'transient' || error.category === 'system';
}

type Outcome = 'success' | 'failure' | 'neutral';

/**
 * A circuit breaker for one key, written as a cockatiel policy (`IPolicy`, so it composes with
 * cockatiel's `wrap`, retry and fallback) and built from cockatiel parts: `ConsecutiveBreaker`
 * counts failures, `TimeoutPolicy` bounds the probe.
 *
 * Why not cockatiel's own `CircuitBreakerPolicy` (3.2.1): it closes after the first successful
 * half-open call (no success threshold, and an `IBreaker` cannot veto the close), it makes calls
 * arriving during half-open wait for the probe and then run instead of failing fast, it has no
 * probe timeout, and it reads `Date.now()` directly so its timing cannot be driven by a clock.
 */
export class CircuitBreaker implements IPolicy<IDefaultPolicyContext> {
  /** Type-only marker required by `IPolicy`; never set at runtime. */
  declare readonly _altReturn: never;

  readonly key: string;
  private readonly config: BreakerConfig;
  private readonly clock: Clock;
  private readonly logger: LoggerLike | undefined;
  private readonly countsAsFailure: (error: unknown) => boolean;
  private readonly counter: ConsecutiveBreaker;
  private readonly probeTimeout: TimeoutPolicy;
  private readonly transitions: Counter<string> | undefined;
  private readonly stateGauge: Gauge<string> | undefined;
  private readonly successEmitter = new EventEmitter<ISuccessEvent>();
  private readonly failureEmitter = new EventEmitter<IFailureEvent>();
  private readonly stateEmitter = new EventEmitter<BreakerTransition>();

  private current: BreakerState = 'closed';
  /**
   * Bumped on every transition. A call remembers the epoch it started in and its outcome is ignored
   * if the breaker has moved on since: a slow call started while closed must not re-open a circuit
   * that is already probing, nor count towards the next closed period.
   */
  private epoch = 0;
  private openedAt: number | null = null;
  private halfOpenSuccesses = 0;
  private probeInFlight = false;
  private lastError: LocalAgentError | null = null;
  private openReason: 'threshold' | 'probe' = 'threshold';

  /** @inheritdoc IPolicy.onSuccess */
  readonly onSuccess = this.successEmitter.addListener;
  /** @inheritdoc IPolicy.onFailure — fires for counted failures only. */
  readonly onFailure = this.failureEmitter.addListener;
  /** Fires once per state change, after logs and metrics are written. */
  readonly onStateChange = this.stateEmitter.addListener;

  constructor(options: CircuitBreakerOptions) {
    this.key = options.key;
    this.config = options.config;
    this.clock = options.clock;
    this.logger = options.logger;
    this.countsAsFailure = options.countsAsFailure ?? countsAsBreakerFailure;
    this.counter = new ConsecutiveBreaker(options.config.failure_threshold);
    // Aggressive: a probe that ignores its signal and hangs must still end the half-open period.
    // abortOnReturn false: a probe that returns a stream must not have its signal cut afterwards.
    this.probeTimeout = timeout(options.config.probe_timeout_ms, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    this.transitions = options.metrics?.counter(
      BREAKER_TRANSITIONS_TOTAL,
      'Circuit breaker state changes, by key and from/to state.',
      ['key', 'from', 'to'],
    );
    this.stateGauge = options.metrics?.gauge(BREAKER_STATE, 'Circuit breaker state by key: 0 closed, 1 half-open, 2 open.', ['key']);
    this.stateGauge?.set({ key: this.key }, BREAKER_STATE_VALUE.closed);
  }

  get state(): BreakerState {
    return this.current;
  }

  /** Consecutive counted failures since the last success. */
  get failures(): number {
    return this.counter.state;
  }

  /** True when a call made now would be refused without running. */
  get rejecting(): boolean {
    if (this.current === 'open') return this.clock.now() < this.nextProbeAt();
    return this.current === 'half_open' && this.probeInFlight;
  }

  /**
   * Runs `fn` if the circuit allows it. Throws `CircuitOpenError` without calling `fn` when open
   * (before `half_open_after_ms`) or when half-open with the probe already running.
   */
  async execute<T>(fn: (context: IDefaultPolicyContext) => PromiseLike<T> | T, signal: AbortSignal = new AbortController().signal): Promise<T> {
    if (this.current === 'closed') return this.runClosed(fn, signal);
    if (this.current === 'open') {
      if (this.clock.now() < this.nextProbeAt()) throw this.openError();
      this.transition('half_open');
    } else if (this.probeInFlight) {
      throw this.openError();
    }
    return this.runProbe(fn, signal);
  }

  /** The refusal error for the current state, optionally explaining the failure that led here. */
  openError(cause?: unknown): CircuitOpenError {
    const now = this.clock.now();
    const base = { breaker_key: this.key, state: this.current, failures: this.counter.state };
    if (this.current === 'open') {
      const next = this.nextProbeAt();
      const waitS = Math.max(0, Math.ceil((next - now) / 1000));
      return new CircuitOpenError({
        message:
          this.openReason === 'probe'
            ? `Calls to "${this.key}" are paused: a test call failed while it was recovering from repeated failures.`
            : `Calls to "${this.key}" are paused: its circuit breaker opened after ${this.config.failure_threshold} consecutive failures.`,
        suggestion: `LocalAgent will try "${this.key}" again at ${new Date(next).toISOString()} (in about ${waitS}s); wait, or configure a fallback model.`,
        details: { ...base, next_probe_at: new Date(next).toISOString() },
        cause: cause ?? this.lastError ?? undefined,
      });
    }
    return new CircuitOpenError({
      message: `Calls to "${this.key}" are paused while a test call checks whether it has recovered.`,
      suggestion: `Try again in a moment; "${this.key}" is accepted again once ${this.config.success_threshold} test call(s) succeed.`,
      details: base,
      cause: cause ?? this.lastError ?? undefined,
    });
  }

  snapshot(): BreakerSnapshot {
    const open = this.current === 'open';
    return {
      key: this.key,
      state: this.current,
      failures: this.counter.state,
      failure_threshold: this.config.failure_threshold,
      half_open_successes: this.halfOpenSuccesses,
      success_threshold: this.config.success_threshold,
      probe_in_flight: this.probeInFlight,
      opened_at: this.openedAt === null ? null : new Date(this.openedAt).toISOString(),
      next_probe_at: open ? new Date(this.nextProbeAt()).toISOString() : null,
      last_error: this.lastError ? { code: this.lastError.code, category: this.lastError.category } : null,
    };
  }

  private async runClosed<T>(fn: (context: IDefaultPolicyContext) => PromiseLike<T> | T, signal: AbortSignal): Promise<T> {
    const epoch = this.epoch;
    const started = performance.now();
    let value: T;
    try {
      value = await fn({ signal });
    } catch (error) {
      if (this.classify(error, signal) === 'failure' && epoch === this.epoch) {
        this.noteFailure(error, started);
        if (this.counter.failure()) {
          this.openReason = 'threshold';
          this.transition('open');
        }
      }
      throw error;
    }
    if (epoch === this.epoch) this.counter.success();
    this.noteSuccess(started);
    return value;
  }

  // No epoch checks here, unlike runClosed: while the probe runs every other call is refused, so
  // nothing but this probe's own outcome can move the breaker.
  private async runProbe<T>(fn: (context: IDefaultPolicyContext) => PromiseLike<T> | T, signal: AbortSignal): Promise<T> {
    const started = performance.now();
    this.probeInFlight = true;
    let value: T;
    try {
      value = await this.probeTimeout.execute(({ signal: probeSignal }) => fn({ signal: probeSignal }), signal);
    } catch (thrown) {
      const error = this.probeError(thrown, signal);
      this.probeInFlight = false;
      if (this.classify(error, signal) === 'failure') {
        this.noteFailure(error, started);
        this.counter.failure();
        this.openReason = 'probe';
        this.transition('open');
      }
      throw error;
    }
    this.probeInFlight = false;
    this.counter.success();
    this.halfOpenSuccesses += 1;
    if (this.halfOpenSuccesses >= this.config.success_threshold) this.transition('closed');
    this.noteSuccess(started);
    return value;
  }

  /** Cockatiel's timeout error becomes ours: a `TimeoutError` (transient) or the caller's cancellation. */
  private probeError(thrown: unknown, signal: AbortSignal): unknown {
    if (!(thrown instanceof TaskCancelledError)) return thrown;
    if (signal.aborted) return cancellationError(signal);
    return new TimeoutError({
      message: `The test call to "${this.key}" did not finish within ${this.config.probe_timeout_ms} ms.`,
      details: { breaker_key: this.key, probe_timeout_ms: this.config.probe_timeout_ms },
      cause: thrown,
    });
  }

  private classify(error: unknown, signal: AbortSignal): Outcome {
    // The caller gave up; that says nothing about the provider.
    if (signal.aborted) return 'neutral';
    return this.countsAsFailure(error) ? 'failure' : 'neutral';
  }

  private noteFailure(error: unknown, started: number): void {
    this.lastError = error instanceof LocalAgentError ? error : null;
    if (this.failureEmitter.size > 0) {
      const reason = { error: error instanceof Error ? error : new Error(String(error)) };
      this.failureEmitter.emit({ duration: performance.now() - started, handled: true, reason });
    }
  }

  private noteSuccess(started: number): void {
    if (this.successEmitter.size > 0) this.successEmitter.emit({ duration: performance.now() - started });
  }

  private nextProbeAt(): number {
    return (this.openedAt ?? 0) + this.config.half_open_after_ms;
  }

  private transition(to: BreakerState): void {
    const from = this.current;
    const at = this.clock.now();
    this.current = to;
    this.epoch += 1;
    this.probeInFlight = false;
    this.halfOpenSuccesses = 0;
    if (to === 'open') this.openedAt = at;
    if (to === 'closed') {
      this.openedAt = null;
      this.counter.success();
    }

    const fields: Record<string, unknown> = { key: this.key, from, to, failures: this.counter.state };
    if (to === 'open') {
      fields['next_probe_at'] = new Date(this.nextProbeAt()).toISOString();
      if (this.lastError) fields['error_code'] = this.lastError.code;
      this.logger?.warn(fields, 'circuit breaker opened');
    } else {
      this.logger?.info(fields, to === 'closed' ? 'circuit breaker closed' : 'circuit breaker half-open');
    }
    this.transitions?.inc({ key: this.key, from, to });
    this.stateGauge?.set({ key: this.key }, BREAKER_STATE_VALUE[to]);
    this.stateEmitter.emit({ key: this.key, from, to, at });
  }
}
