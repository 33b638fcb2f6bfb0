import { EventEmitter } from 'cockatiel';
import type { Metrics } from '../metrics/index.js';
import { CircuitBreaker, type BreakerSnapshot, type BreakerTransition } from './CircuitBreaker.js';
import { SystemClock, type Clock } from './Clock.js';
import { parseResilienceConfig, type BreakerConfig, type BreakerConfigInput } from './config.js';
import type { LoggerLike } from './LoggerLike.js';

export interface BreakerRegistryOptions {
  /** Shared by every breaker; missing fields take the config defaults. */
  breaker?: BreakerConfigInput | undefined;
  clock?: Clock | undefined;
  logger?: LoggerLike | undefined;
  metrics?: Metrics | undefined;
  /** Which failures count towards opening; defaults to `countsAsBreakerFailure`. */
  countsAsFailure?: ((error: unknown) => boolean) | undefined;
}

/**
 * One circuit breaker per key (per provider, per endpoint…), created on first use with shared
 * settings. The composition root makes one registry and hands it to whatever needs to read breaker
 * state (`models health`, the gateway) as well as to `Resilience`.
 */
export class BreakerRegistry {
  readonly config: BreakerConfig;
  private readonly options: BreakerRegistryOptions;
  private readonly clock: Clock;
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly stateEmitter = new EventEmitter<BreakerTransition>();

  /** Fires on every state change of any breaker in the registry. */
  readonly onStateChange = this.stateEmitter.addListener;

  constructor(options: BreakerRegistryOptions = {}) {
    this.options = options;
    this.config = parseResilienceConfig({ breaker: options.breaker ?? {} }).breaker;
    this.clock = options.clock ?? new SystemClock();
  }

  /** The breaker for `key`, created closed on first request. */
  get(key: string): CircuitBreaker {
    let breaker = this.breakers.get(key);
    if (!breaker) {
      breaker = new CircuitBreaker({
        key,
        config: this.config,
        clock: this.clock,
        logger: this.options.logger,
        metrics: this.options.metrics,
        countsAsFailure: this.options.countsAsFailure,
      });
      breaker.onStateChange((t) => this.stateEmitter.emit(t));
      this.breakers.set(key, breaker);
    }
    return breaker;
  }

  /** The breaker for `key` if one was ever requested, without creating it. */
  find(key: string): CircuitBreaker | undefined {
    return this.breakers.get(key);
  }

  /** Every known breaker's state, sorted by key. Keys never used have no entry (they are closed). */
  snapshot(): BreakerSnapshot[] {
    return [...this.breakers.values()].map((b) => b.snapshot()).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}
