import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors/index.js';
import { parseResilienceConfig, resilienceConfigSchema } from './config.js';

describe('resilienceConfigSchema', () => {
  it('fills every default from an empty or absent section', () => {
    const expected = {
      retry: { max_attempts: 3, base_delay_ms: 200, max_delay_ms: 10_000, max_retry_after_ms: 60_000, jitter: true },
      breaker: { failure_threshold: 5, half_open_after_ms: 30_000, success_threshold: 2, probe_timeout_ms: 10_000 },
    };
    expect(resilienceConfigSchema.parse({})).toEqual(expected);
    expect(resilienceConfigSchema.parse({ retry: {}, breaker: {} })).toEqual(expected);
    expect(resilienceConfigSchema.prefault({}).parse(undefined)).toEqual(expected);
  });

  it('keeps given values and defaults the rest', () => {
    const parsed = resilienceConfigSchema.parse({ retry: { max_attempts: 5 }, breaker: { success_threshold: 1 } });
    expect(parsed.retry).toMatchObject({ max_attempts: 5, base_delay_ms: 200 });
    expect(parsed.breaker).toMatchObject({ success_threshold: 1, failure_threshold: 5 });
  });

  it.each([
    [{ retry: { max_attempts: 0 } }, ['retry', 'max_attempts']],
    [{ retry: { base_delay_ms: -1 } }, ['retry', 'base_delay_ms']],
    [{ retry: { base_delay_ms: 500, max_delay_ms: 100 } }, ['retry', 'max_delay_ms']],
    [{ breaker: { success_threshold: 0 } }, ['breaker', 'success_threshold']],
    [{ breaker: { failure_threshold: 1.5 } }, ['breaker', 'failure_threshold']],
    [{ breaker: { probe_timeout_ms: 0 } }, ['breaker', 'probe_timeout_ms']],
  ])('rejects %j', (input, path) => {
    const result = resilienceConfigSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(path);
  });

  it('rejects unknown keys so typos are caught', () => {
    expect(resilienceConfigSchema.safeParse({ retry: { max_atempts: 2 } }).success).toBe(false);
    expect(resilienceConfigSchema.safeParse({ breakers: {} }).success).toBe(false);
  });
});

describe('parseResilienceConfig', () => {
  it('returns the parsed config', () => {
    expect(parseResilienceConfig().retry.max_attempts).toBe(3);
  });

  it('throws a ConfigurationError naming the setting', () => {
    let thrown: unknown;
    try {
      parseResilienceConfig({ breaker: { failure_threshold: 0 } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    const error = thrown as ConfigurationError;
    expect(error.code).toBe('LA_CONFIG_INVALID');
    expect(error.message).toContain('resilience.breaker.failure_threshold');
    expect(error.details['issues']).toEqual([expect.objectContaining({ path: 'resilience.breaker.failure_threshold' })]);
  });
});
