import { z } from 'zod';
import { ConfigurationError } from '../errors/index.js';

/** `resilience.retry` in config.yaml. */
export const retryConfigSchema = z
  .strictObject({
    /** Total tries including the first one; 1 disables retrying. */
    max_attempts: z.number().int().min(1).max(100).default(3),
    /** Scale of the exponential backoff: the first wait is around this long. */
    base_delay_ms: z.number().int().min(0).default(200),
    /** Upper bound of a backoff wait (a provider's Retry-After may exceed it, up to max_retry_after_ms). */
    max_delay_ms: z.number().int().min(0).default(10_000),
    /** Longest Retry-After we are willing to wait; a longer one fails at once instead of hanging. */
    max_retry_after_ms: z.number().int().min(0).default(60_000),
    /** Randomise waits (decorrelated jitter) so many clients do not retry in lockstep. */
    jitter: z.boolean().default(true),
  })
  .refine((r) => r.max_delay_ms >= r.base_delay_ms, {
    message: 'max_delay_ms must be at least base_delay_ms',
    path: ['max_delay_ms'],
  });

/** `resilience.breaker` in config.yaml. */
export const breakerConfigSchema = z.strictObject({
  /** Consecutive counted failures that open the circuit. */
  failure_threshold: z.number().int().min(1).default(5),
  /** How long an open circuit refuses calls before letting one probe through. */
  half_open_after_ms: z.number().int().min(0).default(30_000),
  /** Successful probes (one at a time) needed to close the circuit again. */
  success_threshold: z.number().int().min(1).default(2),
  /** A probe still running after this long counts as a failure and re-opens the circuit. */
  probe_timeout_ms: z.number().int().min(1).default(10_000),
});

/**
 * The `resilience` section of the config. `prefault` (not `default`) so an absent section is parsed
 * through the inner schemas and picks up every field default.
 */
export const resilienceConfigSchema = z.strictObject({
  retry: retryConfigSchema.prefault({}),
  breaker: breakerConfigSchema.prefault({}),
});

export type RetryConfig = z.output<typeof retryConfigSchema>;
export type RetryConfigInput = z.input<typeof retryConfigSchema>;
export type BreakerConfig = z.output<typeof breakerConfigSchema>;
export type BreakerConfigInput = z.input<typeof breakerConfigSchema>;
export type ResilienceConfig = z.output<typeof resilienceConfigSchema>;
export type ResilienceConfigInput = z.input<typeof resilienceConfigSchema>;

/**
 * Validates code-supplied settings (tests, the composition root) with the same rules as the config
 * file, turning zod's error into the project's `ConfigurationError`.
 */
export function parseResilienceConfig(input: ResilienceConfigInput = {}): ResilienceConfig {
  const parsed = resilienceConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: ['resilience', ...i.path].join('.'), message: i.message }));
  const first = issues[0];
  throw new ConfigurationError({
    message: `Invalid resilience setting ${first?.path ?? 'resilience'}: ${first?.message ?? 'invalid value'}.`,
    details: { issues },
  });
}
