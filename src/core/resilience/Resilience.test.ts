import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import {
  CircuitOpenError,
  InternalError,
  NetworkError,
  OperationCancelledError,
  ProviderUnavailableError,
  RateLimitError,
  TimeoutError,
  UserInputError,
  type LocalAgentError,
} from '../errors/index.js';
import { Metrics } from '../metrics/index.js';
import { BreakerRegistry } from './BreakerRegistry.js';
import type { BreakerConfigInput, RetryConfigInput } from './config.js';
import type { LoggerLike } from './LoggerLike.js';
import { Resilience, shouldRetry, type AttemptContext } from './Resilience.js';
import { FakeClock } from './test-support/FakeClock.js';
import { RecordingLogger } from './test-support/RecordingLogger.js';

const network = (): NetworkError => new NetworkError({ message: 'connection reset' });

function setup(options: { retry?: RetryConfigInput; breaker?: BreakerConfigInput; clock?: FakeClock } = {}) {
  const clock = options.clock ?? new FakeClock();
  const logger = new RecordingLogger();
  const metrics = new Metrics();
  const resilience = new Resilience({
    retry: { jitter: false, base_delay_ms: 200, ...options.retry },
    breaker: { failure_threshold: 10, half_open_after_ms: 1_000, success_threshold: 1, probe_timeout_ms: 25, ...options.breaker },
    clock,
    logger,
    metrics,
  });
  return { clock, logger, metrics, resilience };
}

/** An operation that throws the given errors in turn, then returns `value`; records its contexts. */
function script<T>(errors: unknown[], value: T) {
  const contexts: AttemptContext[] = [];
  const fn = async (ctx: AttemptContext): Promise<T> => {
    contexts.push(ctx);
    const next = errors[contexts.length - 1];
    if (next !== undefined) throw next;
    return value;
  };
  return { fn, contexts };
}

describe('Resilience: retry', () => {
  it('retries transient errors with exponential backoff until one succeeds', async () => {
    const { resilience, clock, metrics } = setup({ retry: { max_attempts: 4 } });
    const { fn, contexts } = script([network(), network()], 'answer');
    const outcome = await resilience.executeDetailed('openai', fn);
    expect(outcome).toEqual({ value: 'answer', usedFallback: false, attempts: 3 });
    expect(contexts.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(clock.sleeps).toEqual([200, 400]);
    expect(await metrics.valueOf('localagent_retries_total', { key: 'openai' })).toBe(2);
  });

  it('gives up after max_attempts tries and throws the last error', async () => {
    const { resilience, clock } = setup();
    const last = new TimeoutError({ message: 'third timeout' });
    const { fn, contexts } = script([network(), network(), last, network()], 'never');
    await expect(resilience.execute('openai', fn)).rejects.toBe(last);
    expect(contexts).toHaveLength(3);
    expect(clock.sleeps).toEqual([200, 400]);
  });

  it('does not retry non-transient errors', async () => {
    const { resilience, clock } = setup();
    const bad = new UserInputError({ message: 'prompt too long' });
    const { fn, contexts } = script([bad], 'never');
    await expect(resilience.execute('openai', fn)).rejects.toBe(bad);
    expect(contexts).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('does not retry errors that are not LocalAgentErrors, and wraps them', async () => {
    const { resilience } = setup();
    const bug = new TypeError('cannot read properties of undefined');
    const { fn, contexts } = script([bug], 'never');
    const error = await resilience.execute('openai', fn).catch((e: unknown) => e);
    expect(contexts).toHaveLength(1);
    expect(error).toBeInstanceOf(InternalError);
    expect((error as InternalError).cause).toBe(bug);
  });

  it('waits at least the Retry-After of a rate limit (jitter on)', async () => {
    const { resilience, clock } = setup({ retry: { jitter: true, max_delay_ms: 1_000 } });
    const { fn, contexts } = script([new RateLimitError({ message: '429', retryAfterMs: 5_000 })], 'ok');
    await expect(resilience.execute('openai', fn)).resolves.toBe('ok');
    expect(contexts).toHaveLength(2);
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(5_000);
  });

  it('gives up at once when Retry-After exceeds max_retry_after_ms', async () => {
    const { resilience, clock, logger } = setup({ retry: { max_retry_after_ms: 10_000 } });
    const limited = new RateLimitError({ message: '429', retryAfterMs: 3_600_000 });
    const { fn, contexts } = script([limited], 'never');
    await expect(resilience.execute('openai', fn)).rejects.toBe(limited);
    expect(contexts).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'info', obj: { key: 'openai', retry_after_ms: 3_600_000, max_retry_after_ms: 10_000 } }),
    );
  });

  it('logs each retry with key, attempt and delay', async () => {
    const { resilience, logger } = setup();
    const { fn } = script([network()], 'ok');
    await resilience.execute('openai', fn);
    expect(logger.lines.filter((l) => l.level === 'debug')).toEqual([
      { level: 'debug', obj: { key: 'openai', attempt: 2, delay_ms: 200, error_code: 'LA_NETWORK' }, msg: 'retrying after a transient failure' },
    ]);
  });

  it('accepts per-call retry settings and validates them', async () => {
    const { resilience } = setup();
    const once = script([network()], 'never');
    await expect(resilience.execute('openai', once.fn, { retry: { max_attempts: 1 } })).rejects.toBeInstanceOf(NetworkError);
    expect(once.contexts).toHaveLength(1);
    const more = script([network(), network(), network(), network()], 'ok');
    await expect(resilience.execute('openai', more.fn, { retry: { max_attempts: 5 } })).resolves.toBe('ok');
    expect(more.contexts).toHaveLength(5);
    await expect(resilience.execute('openai', more.fn, { retry: { max_attempts: 0 } })).rejects.toMatchObject({ code: 'LA_CONFIG_INVALID' });
  });
});

describe('Resilience: signals and cancellation', () => {
  it('gives every attempt a live AbortSignal even without a caller signal', async () => {
    const { resilience } = setup();
    const { fn, contexts } = script([network()], 'ok');
    await resilience.execute('openai', fn);
    for (const ctx of contexts) {
      expect(ctx.signal).toBeInstanceOf(AbortSignal);
      expect(ctx.signal.aborted).toBe(false);
    }
    const other = script([], 'ok');
    await resilience.execute('openai', other.fn);
    expect(other.contexts[0]?.signal).not.toBe(contexts[0]?.signal);
  });

  it("passes the caller's signal to each attempt", async () => {
    const { resilience } = setup();
    const controller = new AbortController();
    const { fn, contexts } = script([network()], 'ok');
    await resilience.execute('openai', fn, { signal: controller.signal });
    expect(contexts.map((c) => c.signal)).toEqual([controller.signal, controller.signal]);
  });

  it('aborts during a backoff wait without another attempt, and without fallback', async () => {
    const clock = new FakeClock('manual');
    const { resilience } = setup({ clock, retry: { base_delay_ms: 30_000, max_delay_ms: 30_000 } });
    const controller = new AbortController();
    const { fn, contexts } = script([network()], 'never');
    const fallback = vi.fn(() => 'fallback');
    const running = resilience.execute('openai', fn, { signal: controller.signal, fallback });
    await vi.waitFor(() => expect(clock.waiting).toBe(1));
    expect(clock.sleeps).toEqual([30_000]);
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(OperationCancelledError);
    expect(contexts).toHaveLength(1);
    expect(fallback).not.toHaveBeenCalled();
    expect(clock.waiting).toBe(0);
  });

  it('surfaces a LocalAgentError abort reason as the error', async () => {
    const clock = new FakeClock('manual');
    const { resilience } = setup({ clock });
    const controller = new AbortController();
    const running = resilience.execute('openai', script([network()], 'x').fn, { signal: controller.signal });
    await vi.waitFor(() => expect(clock.waiting).toBe(1));
    const reason = new TimeoutError({ message: 'task timeout of 60 s reached' });
    controller.abort(reason);
    await expect(running).rejects.toBe(reason);
  });

  it('aborts a running attempt through its signal', async () => {
    const { resilience } = setup();
    const controller = new AbortController();
    let calls = 0;
    const running = resilience.execute(
      'openai',
      ({ signal }) =>
        new Promise<never>((_, reject) => {
          calls += 1;
          signal.addEventListener('abort', () => reject(network()));
        }),
      { signal: controller.signal },
    );
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(OperationCancelledError);
    expect(calls).toBe(1);
  });

  it('does not start when the signal is already aborted', async () => {
    const { resilience } = setup();
    const controller = new AbortController();
    controller.abort();
    const { fn, contexts } = script([], 'x');
    await expect(resilience.execute('openai', fn, { signal: controller.signal })).rejects.toBeInstanceOf(OperationCancelledError);
    expect(contexts).toHaveLength(0);
  });
});

describe('Resilience: breaker', () => {
  it('an open breaker stops retries at once', async () => {
    const { resilience, clock } = setup({ retry: { max_attempts: 5 }, breaker: { failure_threshold: 2 } });
    const { fn, contexts } = script([network(), network(), network(), network(), network()], 'never');
    const error = await resilience.execute('openai', fn).catch((e: unknown) => e);
    expect(contexts).toHaveLength(2);
    expect(clock.sleeps).toEqual([200]);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect((error as CircuitOpenError).cause).toBeInstanceOf(NetworkError);
    expect(resilience.breakers.get('openai').state).toBe('open');
  });

  it('fails fast without calling while open, and probes once the time has come', async () => {
    const { resilience, clock } = setup({ breaker: { failure_threshold: 1 }, retry: { max_attempts: 1 } });
    await resilience.execute('openai', script([network()], 'x').fn).catch(() => undefined);
    const refused = script([], 'x');
    await expect(resilience.execute('openai', refused.fn)).rejects.toMatchObject({ code: 'LA_CIRCUIT_OPEN', category: 'transient' });
    expect(refused.contexts).toHaveLength(0);
    clock.advance(1_000);
    const probe = script([], 'back');
    await expect(resilience.execute('openai', probe.fn)).resolves.toBe('back');
    expect(resilience.breakers.get('openai').state).toBe('closed');
  });

  it('gives a half-open probe its own timeout signal; a hanging probe re-opens and is not retried', async () => {
    const { resilience, clock } = setup({ breaker: { failure_threshold: 1 } });
    await resilience.execute('openai', script([network()], 'x').fn, { retry: { max_attempts: 1 } }).catch(() => undefined);
    clock.advance(1_000);
    const signals: AbortSignal[] = [];
    const error = await resilience
      .execute('openai', ({ signal }) => {
        signals.push(signal);
        return new Promise<never>(() => undefined);
      })
      .catch((e: unknown) => e);
    // The probe timed out (counted, re-opened); the retry then met the open breaker.
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(true);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect((error as CircuitOpenError).cause).toBeInstanceOf(TimeoutError);
    expect(resilience.breakers.get('openai').state).toBe('open');
  });

  it('keeps keys isolated', async () => {
    const { resilience } = setup({ breaker: { failure_threshold: 1 }, retry: { max_attempts: 1 } });
    await resilience.execute('openai', script([network()], 'x').fn).catch(() => undefined);
    await expect(resilience.execute('anthropic', script([], 'fine').fn)).resolves.toBe('fine');
    expect(resilience.breakers.snapshot().map((s) => [s.key, s.state])).toEqual([
      ['anthropic', 'closed'],
      ['openai', 'open'],
    ]);
  });

  it('uses a registry shared with other readers', async () => {
    const clock = new FakeClock();
    const breakers = new BreakerRegistry({ breaker: { failure_threshold: 1 }, clock });
    const resilience = new Resilience({ breakers, clock, retry: { max_attempts: 1 } });
    expect(resilience.breakers).toBe(breakers);
    await resilience.execute('openai', script([network()], 'x').fn).catch(() => undefined);
    expect(breakers.snapshot()[0]?.state).toBe('open');
  });

  it('counts each attempt once towards the breaker', async () => {
    const { resilience } = setup({ retry: { max_attempts: 3 } });
    await resilience.execute('openai', script([network(), network(), network()], 'x').fn).catch(() => undefined);
    expect(resilience.breakers.get('openai').failures).toBe(3);
  });
});

describe('Resilience: fallback', () => {
  it('runs the fallback with the final error when retries are exhausted, and marks the result', async () => {
    const { resilience, metrics, logger } = setup({ retry: { max_attempts: 2 } });
    const last = network();
    const fallback = vi.fn((error: LocalAgentError) => `cached (${error.code})`);
    const outcome = await resilience.executeDetailed('openai', script([network(), last], 'never').fn, { fallback });
    expect(outcome).toEqual({ value: 'cached (LA_NETWORK)', usedFallback: true, attempts: 2, error: last });
    expect(fallback).toHaveBeenCalledExactlyOnceWith(last);
    expect(await metrics.valueOf('localagent_fallbacks_total', { key: 'openai' })).toBe(1);
    expect(logger.lines).toContainEqual({ level: 'info', obj: { key: 'openai', attempts: 2, error_code: 'LA_NETWORK' }, msg: 'using fallback' });
  });

  it('runs the fallback when the breaker is open', async () => {
    const { resilience } = setup({ breaker: { failure_threshold: 1 }, retry: { max_attempts: 1 } });
    await resilience.execute('openai', script([network()], 'x').fn).catch(() => undefined);
    const { fn, contexts } = script([], { from: 'openai', because: '' });
    const outcome = await resilience.executeDetailed('openai', fn, { fallback: async (error) => ({ from: 'other model', because: error.code }) });
    expect(contexts).toHaveLength(0);
    expect(outcome.usedFallback).toBe(true);
    expect(outcome.value).toEqual({ from: 'other model', because: 'LA_CIRCUIT_OPEN' });
    expect(outcome.usedFallback && outcome.error).toBeInstanceOf(ProviderUnavailableError);
    expect(outcome.attempts).toBe(0);
  });

  it('runs the fallback when a Retry-After is too long to wait', async () => {
    const { resilience } = setup({ retry: { max_retry_after_ms: 1_000 } });
    const fn = script([new RateLimitError({ message: '429', retryAfterMs: 120_000 })], 'never').fn;
    await expect(resilience.execute('openai', fn, { fallback: () => 'degraded' })).resolves.toBe('degraded');
  });

  it('does not replace non-transient errors by default, but can be told to', async () => {
    const bad = new UserInputError({ message: 'bad' });
    const { resilience } = setup();
    const fallback = vi.fn(() => 'fallback');
    await expect(resilience.execute('openai', script([bad], 'x').fn, { fallback })).rejects.toBe(bad);
    expect(fallback).not.toHaveBeenCalled();

    const lenient = new Resilience({ clock: new FakeClock(), fallbackWhen: () => true });
    await expect(lenient.execute('openai', script([bad], 'x').fn, { fallback })).resolves.toBe('fallback');
  });

  it('reports a failing fallback as a LocalAgentError', async () => {
    const { resilience } = setup({ retry: { max_attempts: 1 } });
    const error = await resilience
      .execute('openai', script([network()], 'x').fn, {
        fallback: () => {
          throw new Error('fallback broke too');
        },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalError);
    expect((error as InternalError).message).toContain('fallback broke too');
  });

  it('execute returns the plain value, from the call or the fallback', async () => {
    const { resilience } = setup({ retry: { max_attempts: 1 } });
    await expect(resilience.execute('openai', () => 42)).resolves.toBe(42);
    await expect(resilience.execute('openai', script([network()], 1).fn, { fallback: () => 0 })).resolves.toBe(0);
  });
});

describe('Resilience: logging with pino', () => {
  it('accepts a pino logger and writes one JSON line per breaker transition', async () => {
    const written: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => written.push(line) });
    const typed: LoggerLike = logger;
    const clock = new FakeClock();
    const resilience = new Resilience({ logger: typed, clock, retry: { max_attempts: 1 }, breaker: { failure_threshold: 1 } });
    await resilience.execute('openai', script([network()], 'x').fn).catch(() => undefined);
    const lines = written.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([expect.objectContaining({ level: 40, key: 'openai', from: 'closed', to: 'open', msg: 'circuit breaker opened' })]);
  });
});

describe('shouldRetry', () => {
  const config = { max_retry_after_ms: 1_000 };
  it('retries transient errors except circuit refusals and overlong Retry-After', () => {
    expect(shouldRetry(network(), config)).toBe(true);
    expect(shouldRetry(new RateLimitError({ message: '429' }), config)).toBe(true);
    expect(shouldRetry(new RateLimitError({ message: '429', retryAfterMs: 1_000 }), config)).toBe(true);
    expect(shouldRetry(new RateLimitError({ message: '429', retryAfterMs: 1_001 }), config)).toBe(false);
    expect(shouldRetry(new CircuitOpenError({ message: 'open' }), config)).toBe(false);
    expect(shouldRetry(new UserInputError({ message: 'bad' }), config)).toBe(false);
    expect(shouldRetry(new Error('plain'), config)).toBe(false);
  });
});
