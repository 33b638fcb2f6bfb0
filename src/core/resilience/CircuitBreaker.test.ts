import { retry, handleAll, wrap } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, CircuitOpenError, InternalError, NetworkError, OperationCancelledError, ProviderUnavailableError, TimeoutError, UserInputError } from '../errors/index.js';
import { Metrics } from '../metrics/index.js';
import { CircuitBreaker, countsAsBreakerFailure, type BreakerTransition } from './CircuitBreaker.js';
import { parseResilienceConfig, type BreakerConfigInput } from './config.js';
import { deferred } from './test-support/deferred.js';
import { FakeClock } from './test-support/FakeClock.js';
import { RecordingLogger } from './test-support/RecordingLogger.js';

const down = (): Promise<never> => Promise.reject(new NetworkError({ message: 'connection reset' }));
const ok = (): Promise<string> => Promise.resolve('ok');
const hang = (): Promise<never> => new Promise<never>(() => undefined);

function setup(overrides: BreakerConfigInput = {}, countsAsFailure?: (error: unknown) => boolean) {
  const clock = new FakeClock();
  const logger = new RecordingLogger();
  const metrics = new Metrics();
  const config = parseResilienceConfig({
    breaker: { failure_threshold: 3, half_open_after_ms: 1_000, success_threshold: 2, probe_timeout_ms: 25, ...overrides },
  }).breaker;
  const breaker = new CircuitBreaker({ key: 'openai', config, clock, logger, metrics, countsAsFailure });
  const transitions: BreakerTransition[] = [];
  breaker.onStateChange((t) => transitions.push(t));
  return { clock, logger, metrics, breaker, transitions };
}

async function failTimes(breaker: CircuitBreaker, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) await expect(breaker.execute(down)).rejects.toBeInstanceOf(NetworkError);
}

describe('CircuitBreaker', () => {
  it('stays closed below the threshold, and a success resets the count', async () => {
    const { breaker } = setup();
    await failTimes(breaker, 2);
    expect(breaker.failures).toBe(2);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.failures).toBe(0);
    await failTimes(breaker, 2);
    expect(breaker.state).toBe('closed');
  });

  it('opens after failure_threshold consecutive failures and then fails fast without calling', async () => {
    const { breaker, clock } = setup();
    await failTimes(breaker, 3);
    expect(breaker.state).toBe('open');
    let calls = 0;
    const error = await breaker.execute(() => ++calls).catch((e: unknown) => e);
    expect(calls).toBe(0);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    const open = error as CircuitOpenError;
    expect(open.code).toBe('LA_CIRCUIT_OPEN');
    expect(open.category).toBe('transient');
    const nextProbe = new Date(clock.now() + 1_000).toISOString();
    expect(open.suggestion).toContain(nextProbe);
    expect(open.suggestion).toContain('in about 1s');
    expect(open.message).toContain('3 consecutive failures');
    expect(open.details).toMatchObject({ breaker_key: 'openai', state: 'open', next_probe_at: nextProbe });
    expect(open.cause).toBeInstanceOf(NetworkError);
  });

  it('lets a single probe through after half_open_after_ms; others fail fast meanwhile', async () => {
    const { breaker, clock } = setup({ success_threshold: 1 });
    await failTimes(breaker, 3);
    clock.advance(999);
    await expect(breaker.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    clock.advance(1);

    const probe = deferred<string>();
    let probeCalls = 0;
    const probing = breaker.execute(() => {
      probeCalls += 1;
      return probe.promise;
    });
    expect(breaker.state).toBe('half_open');
    expect(breaker.rejecting).toBe(true);
    let otherCalls = 0;
    const other = await breaker.execute(() => ++otherCalls).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(CircuitOpenError);
    expect((other as CircuitOpenError).message).toContain('test call');
    expect(otherCalls).toBe(0);

    probe.resolve('recovered');
    await expect(probing).resolves.toBe('recovered');
    expect(probeCalls).toBe(1);
    expect(breaker.state).toBe('closed');
    expect(breaker.failures).toBe(0);
  });

  it('needs success_threshold successful probes, one at a time, to close', async () => {
    const { breaker, clock, transitions } = setup({ success_threshold: 3 });
    await failTimes(breaker, 3);
    clock.advance(1_000);

    for (let i = 1; i <= 2; i += 1) {
      const probe = deferred<string>();
      const probing = breaker.execute(() => probe.promise);
      await expect(breaker.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
      probe.resolve(`probe ${i}`);
      await probing;
      expect(breaker.state).toBe('half_open');
      expect(breaker.snapshot().half_open_successes).toBe(i);
    }
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['closed->open', 'open->half_open', 'half_open->closed']);
  });

  it('re-opens when a probe fails, and waits half_open_after_ms again', async () => {
    const { breaker, clock } = setup();
    await failTimes(breaker, 3);
    clock.advance(1_000);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    await expect(breaker.execute(down)).rejects.toBeInstanceOf(NetworkError);
    expect(breaker.state).toBe('open');
    expect(breaker.snapshot().half_open_successes).toBe(0);
    const refused = (await breaker.execute(ok).catch((e: unknown) => e)) as CircuitOpenError;
    expect(refused.message).toContain('a test call failed');
    clock.advance(999);
    await expect(breaker.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    clock.advance(1);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('half_open');
  });

  it('counts a hanging probe as a failure after probe_timeout_ms and aborts its signal', async () => {
    const { breaker, clock } = setup();
    await failTimes(breaker, 3);
    clock.advance(1_000);
    let probeSignal: AbortSignal | undefined;
    const error = await breaker
      .execute(({ signal }) => {
        probeSignal = signal;
        return hang();
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toContain('25 ms');
    expect(probeSignal?.aborted).toBe(true);
    expect(breaker.state).toBe('open');
    expect(breaker.snapshot().last_error).toEqual({ code: 'LA_TIMEOUT', category: 'transient' });
  });

  it('does not time out calls while closed', async () => {
    const { breaker } = setup({ probe_timeout_ms: 1 });
    const slow = deferred<string>();
    const running = breaker.execute(() => slow.promise);
    await new Promise((resolve) => setTimeout(resolve, 10));
    slow.resolve('late but fine');
    await expect(running).resolves.toBe('late but fine');
  });

  it('does not count user or permanent errors, in closed or half-open state', async () => {
    const { breaker, clock } = setup({ failure_threshold: 2 });
    const badInput = (): Promise<never> => Promise.reject(new UserInputError({ message: 'bad prompt' }));
    const badKey = (): Promise<never> => Promise.reject(new AuthenticationError({ message: 'bad key' }));
    for (let i = 0; i < 5; i += 1) {
      await expect(breaker.execute(badInput)).rejects.toBeInstanceOf(UserInputError);
      await expect(breaker.execute(badKey)).rejects.toBeInstanceOf(AuthenticationError);
    }
    expect(breaker.state).toBe('closed');
    expect(breaker.failures).toBe(0);

    await failTimes(breaker, 2);
    clock.advance(1_000);
    await expect(breaker.execute(badInput)).rejects.toBeInstanceOf(UserInputError);
    expect(breaker.state).toBe('half_open');
    expect(breaker.rejecting).toBe(false);
  });

  it('counts system errors and foreign errors', async () => {
    const { breaker } = setup({ failure_threshold: 2 });
    await expect(breaker.execute(() => Promise.reject(new InternalError({ message: 'bug' })))).rejects.toBeInstanceOf(InternalError);
    await expect(breaker.execute(() => Promise.reject(new TypeError('x is undefined')))).rejects.toBeInstanceOf(TypeError);
    expect(breaker.state).toBe('open');
    expect(breaker.snapshot().last_error).toBeNull();
  });

  it('does not count a failure caused by the caller aborting', async () => {
    const { breaker, clock } = setup({ failure_threshold: 1 });
    const controller = new AbortController();
    const running = breaker.execute(
      ({ signal }) => new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new NetworkError({ message: 'aborted' })))),
      controller.signal,
    );
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(NetworkError);
    expect(breaker.state).toBe('closed');

    await failTimes(breaker, 1);
    clock.advance(1_000);
    const probeController = new AbortController();
    const probing = breaker.execute(hang, probeController.signal);
    probeController.abort();
    await expect(probing).rejects.toBeInstanceOf(OperationCancelledError);
    expect(breaker.state).toBe('half_open');
    expect(breaker.rejecting).toBe(false);
  });

  it('ignores the outcome of a call that started before the circuit opened', async () => {
    const { breaker, clock } = setup({ failure_threshold: 2, success_threshold: 1 });
    const slow = deferred<string>();
    const slowCall = breaker.execute(() => slow.promise);
    await failTimes(breaker, 2);
    clock.advance(1_000);
    const probe = deferred<string>();
    const probing = breaker.execute(() => probe.promise);
    slow.reject(new NetworkError({ message: 'late failure' }));
    await expect(slowCall).rejects.toBeInstanceOf(NetworkError);
    expect(breaker.state).toBe('half_open');
    probe.resolve('ok');
    await probing;
    expect(breaker.state).toBe('closed');
    expect(breaker.failures).toBe(0);
  });

  it('accepts a custom failure rule', async () => {
    const { breaker } = setup({ failure_threshold: 1 }, (e) => e instanceof UserInputError);
    await expect(breaker.execute(down)).rejects.toBeInstanceOf(NetworkError);
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(() => Promise.reject(new UserInputError({ message: 'x' })))).rejects.toThrow();
    expect(breaker.state).toBe('open');
  });

  it('logs one line per transition with key, from and to', async () => {
    const { breaker, clock, logger } = setup({ success_threshold: 1 });
    await failTimes(breaker, 3);
    clock.advance(1_000);
    await breaker.execute(ok);
    expect(logger.transitions()).toEqual([
      { key: 'openai', from: 'closed', to: 'open' },
      { key: 'openai', from: 'open', to: 'half_open' },
      { key: 'openai', from: 'half_open', to: 'closed' },
    ]);
    const opened = logger.lines.find((l) => l.obj['to'] === 'open');
    expect(opened?.level).toBe('warn');
    expect(opened?.obj).toMatchObject({ failures: 3, error_code: 'LA_NETWORK', next_probe_at: new Date(clock.now()).toISOString() });
    expect(logger.lines).toHaveLength(3);
  });

  it('counts transitions and sets the state gauge', async () => {
    const { breaker, clock, metrics } = setup({ success_threshold: 1 });
    const state = () => metrics.valueOf('localagent_breaker_state', { key: 'openai' });
    const moved = (from: string, to: string) => metrics.valueOf('localagent_breaker_transitions_total', { key: 'openai', from, to });
    expect(await state()).toBe(0);
    await failTimes(breaker, 3);
    expect(await state()).toBe(2);
    clock.advance(1_000);
    const probe = deferred<string>();
    const probing = breaker.execute(() => probe.promise);
    expect(await state()).toBe(1);
    probe.reject(new NetworkError({ message: 'still down' }));
    await probing.catch(() => undefined);
    clock.advance(1_000);
    await breaker.execute(ok);
    expect(await state()).toBe(0);
    expect(await moved('closed', 'open')).toBe(1);
    expect(await moved('open', 'half_open')).toBe(2);
    expect(await moved('half_open', 'open')).toBe(1);
    expect(await moved('half_open', 'closed')).toBe(1);
  });

  it('snapshots its state as plain JSON', async () => {
    const { breaker, clock } = setup();
    const start = clock.now();
    expect(breaker.snapshot()).toEqual({
      key: 'openai',
      state: 'closed',
      failures: 0,
      failure_threshold: 3,
      half_open_successes: 0,
      success_threshold: 2,
      probe_in_flight: false,
      opened_at: null,
      next_probe_at: null,
      last_error: null,
    });
    await failTimes(breaker, 3);
    expect(breaker.snapshot()).toMatchObject({
      state: 'open',
      failures: 3,
      opened_at: new Date(start).toISOString(),
      next_probe_at: new Date(start + 1_000).toISOString(),
      last_error: { code: 'LA_NETWORK', category: 'transient' },
    });
    clock.advance(1_000);
    const probe = deferred<string>();
    const probing = breaker.execute(() => probe.promise);
    expect(breaker.snapshot()).toMatchObject({ state: 'half_open', probe_in_flight: true, next_probe_at: null });
    probe.resolve('ok');
    await probing;
    expect(JSON.parse(JSON.stringify(breaker.snapshot()))).toMatchObject({ state: 'half_open', half_open_successes: 1 });
  });

  it('is a cockatiel policy: composes with wrap() and reports success and failure events', async () => {
    const { breaker } = setup({ failure_threshold: 2 });
    const successes: number[] = [];
    const failures: unknown[] = [];
    breaker.onSuccess((e) => successes.push(e.duration));
    breaker.onFailure((e) => failures.push('error' in e.reason ? e.reason.error : e.reason.value));
    const policy = wrap(retry(handleAll, { maxAttempts: 5 }), breaker);
    let calls = 0;
    const error = await policy.execute(() => {
      calls += 1;
      return down();
    }).catch((e: unknown) => e);
    // Two real calls opened the circuit; the retries after that were refused without calling.
    expect(calls).toBe(2);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(failures).toHaveLength(2);
    await expect(breaker.execute(() => 'sync value', new AbortController().signal)).rejects.toBeInstanceOf(CircuitOpenError);

    const other = setup().breaker;
    other.onSuccess((e) => successes.push(e.duration));
    other.onFailure((e) => failures.push('error' in e.reason ? e.reason.error : e.reason.value));
    await expect(other.execute(() => 'sync value')).resolves.toBe('sync value');
    await expect(other.execute(() => Promise.reject('not an Error'))).rejects.toBe('not an Error');
    expect(successes).toHaveLength(1);
    expect(failures[2]).toBeInstanceOf(Error);
  });
});

describe('countsAsBreakerFailure', () => {
  it('counts transient, system and foreign errors only', () => {
    expect(countsAsBreakerFailure(new NetworkError({ message: 'x' }))).toBe(true);
    expect(countsAsBreakerFailure(new InternalError({ message: 'x' }))).toBe(true);
    expect(countsAsBreakerFailure(new Error('x'))).toBe(true);
    expect(countsAsBreakerFailure('thrown string')).toBe(true);
    expect(countsAsBreakerFailure(new UserInputError({ message: 'x' }))).toBe(false);
    expect(countsAsBreakerFailure(new AuthenticationError({ message: 'x' }))).toBe(false);
  });
});
