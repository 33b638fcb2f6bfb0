import { afterEach, describe, expect, it, vi } from 'vitest';
import { NetworkError, RateLimitError } from '../errors/index.js';
import { parseResilienceConfig, type RetryConfigInput } from './config.js';
import { createRetryBackoff, retryAfterMsOf, type RetryBackoffContext } from './RetryAfterBackoff.js';

const signal = new AbortController().signal;
const failure = (error: Error, attempt = 1): RetryBackoffContext => ({ attempt, signal, result: { error } });

function delays(input: RetryConfigInput, errors: Error[]): number[] {
  const factory = createRetryBackoff(parseResilienceConfig({ retry: input }).retry);
  const out: number[] = [];
  let backoff = factory.next(failure(errors[0] as Error));
  out.push(backoff.duration);
  for (let i = 1; i < errors.length; i += 1) {
    backoff = backoff.next(failure(errors[i] as Error, i + 1));
    out.push(backoff.duration);
  }
  return out;
}

const network = (): NetworkError => new NetworkError({ message: 'reset' });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createRetryBackoff', () => {
  it('without jitter doubles from base_delay_ms and stops at max_delay_ms', () => {
    const errors = Array.from({ length: 7 }, network);
    expect(delays({ jitter: false, base_delay_ms: 100, max_delay_ms: 1_000 }, errors)).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });

  it('with jitter (the default) stays within [0, max_delay_ms] and depends on the random draw', () => {
    const errors = Array.from({ length: 12 }, network);
    const config = { base_delay_ms: 100, max_delay_ms: 2_000 };
    vi.spyOn(Math, 'random').mockReturnValue(0.1);
    const low = delays(config, errors);
    vi.spyOn(Math, 'random').mockReturnValue(0.9);
    const high = delays(config, errors);
    for (const d of [...low, ...high]) {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(2_000);
    }
    expect(low[0]).not.toBe(high[0]);
    // Still exponential on average: later waits are longer than the first.
    expect(high[4]).toBeGreaterThan(high[0] as number);
  });

  it('waits at least the Retry-After of a rate limit, even beyond max_delay_ms', () => {
    const limited = new RateLimitError({ message: '429', retryAfterMs: 5_000 });
    expect(delays({ jitter: false, base_delay_ms: 100, max_delay_ms: 1_000 }, [limited])).toEqual([5_000]);
  });

  it('keeps the exponential sequence advancing under a Retry-After', () => {
    const limited = new RateLimitError({ message: '429', retryAfterMs: 50 });
    expect(delays({ jitter: false, base_delay_ms: 100 }, [network(), limited, network()])).toEqual([100, 200, 400]);
    expect(delays({ jitter: false, base_delay_ms: 100 }, [network(), new RateLimitError({ message: '429', retryAfterMs: 3_000 }), network()])).toEqual([
      100, 3_000, 400,
    ]);
  });

  it('ignores a Retry-After on a returned-value failure', () => {
    const factory = createRetryBackoff(parseResilienceConfig({ retry: { jitter: false, base_delay_ms: 10 } }).retry);
    expect(factory.next({ attempt: 1, signal, result: { value: 'bad' } }).duration).toBe(10);
  });
});

describe('retryAfterMsOf', () => {
  it('reads RateLimitError.retryAfterMs only', () => {
    expect(retryAfterMsOf(new RateLimitError({ message: '429', retryAfterMs: 1_234 }))).toBe(1_234);
    expect(retryAfterMsOf(new RateLimitError({ message: '429' }))).toBeUndefined();
    expect(retryAfterMsOf(network())).toBeUndefined();
    expect(retryAfterMsOf({ retryAfterMs: 5 })).toBeUndefined();
  });
});
