export { BreakerRegistry, type BreakerRegistryOptions } from './BreakerRegistry.js';
export {
  BREAKER_STATE_VALUE,
  CircuitBreaker,
  countsAsBreakerFailure,
  type BreakerSnapshot,
  type BreakerState,
  type BreakerTransition,
  type CircuitBreakerOptions,
} from './CircuitBreaker.js';
export { SystemClock, type Clock } from './Clock.js';
export {
  breakerConfigSchema,
  parseResilienceConfig,
  resilienceConfigSchema,
  retryConfigSchema,
  type BreakerConfig,
  type BreakerConfigInput,
  type ResilienceConfig,
  type ResilienceConfigInput,
  type RetryConfig,
  type RetryConfigInput,
} from './config.js';
export { cancellationError } from './errors.js';
export type { LoggerLike } from './LoggerLike.js';
export { BREAKER_STATE, BREAKER_TRANSITIONS_TOTAL, FALLBACKS_TOTAL, RETRIES_TOTAL } from './metricNames.js';
export { Resilience, shouldRetry, type AttemptContext, type ExecuteOptions, type ExecuteOutcome, type ResilienceOptions } from './Resilience.js';
export { RetryAfterBackoff, createRetryBackoff, retryAfterMsOf, type RetryBackoffContext } from './RetryAfterBackoff.js';
