import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AuthenticationError,
  CircuitOpenError,
  NetworkError,
  OperationCancelledError,
  ProviderError,
  ProviderUnavailableError,
  RateLimitError,
  TimeoutError,
  UserInputError,
  type LocalAgentError,
} from '../../core/errors/index.js';
import type { CallObservation } from '../types/index.js';
import type { OrchestratedRequest } from './results.js';
import { spec } from './test-support/FakeModelCaller.js';
import { run, setup } from './test-support/setup.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const rateLimited = () => new RateLimitError({ message: 'slow down', status: 429 });
const badRequest = () => new ProviderError({ code: 'LA_PROVIDER_BAD_REQUEST', category: 'user', message: 'bad request', status: 400 });

describe('Orchestrator.generate: fail-over', () => {
  it.each([
    ['429', rateLimited()],
    ['5xx', new ProviderUnavailableError({ message: 'bad gateway', status: 502 })],
    ['timeout', new TimeoutError({ message: 'too slow' })],
    ['first-token timeout', new TimeoutError({ code: 'LA_FIRST_TOKEN_TIMEOUT', message: 'no first token' })],
    ['network', new NetworkError({ message: 'reset' })],
    ['open circuit', new CircuitOpenError({ message: 'open' })],
    ['context length', new ProviderError({ code: 'LA_CONTEXT_LENGTH', category: 'user', message: 'too long' })],
    ['no key', new ProviderError({ code: 'LA_PROVIDER_NO_KEY', category: 'user', message: 'no key' })],
    ['auth', new AuthenticationError({ message: 'bad key', status: 401 })],
  ])('moves to the next model on %s', async (_name, error) => {
    const { caller, orchestrator } = setup();
    caller.script('a', { latencyMs: 30, error }).script('b', { latencyMs: 20, text: 'from b' });
    const outcome = await run(orchestrator.generate({ prompt: 'hi', models: ['a', 'b', 'c'] }));
    expect(outcome.result.text).toBe('from b');
    expect(outcome.strategy).toBe('fallback');
    expect(outcome.tried).toEqual([
      { model: 'a', ok: false, errorCode: (error as LocalAgentError).code, latencyMs: 30 },
      { model: 'b', ok: true, latencyMs: 20 },
    ]);
    expect(caller.callsTo('c')).toHaveLength(0);
  });

  it.each([
    ['a user abort', new OperationCancelledError({ message: 'cancelled' }), 'LA_CANCELLED'],
    ['a bad request', badRequest(), 'LA_PROVIDER_BAD_REQUEST'],
    ['another user error', new UserInputError({ message: 'nope' }), 'LA_INPUT_INVALID'],
    ['a permanent provider error', new ProviderError({ message: 'broken' }), 'LA_PROVIDER_ERROR'],
    ['a bug (not a LocalAgentError)', new Error('boom'), 'LA_INTERNAL'],
  ])('stops on %s and throws it', async (_name, error, code) => {
    const { caller, orchestrator } = setup();
    caller.script('a', { error });
    await expect(run(orchestrator.generate({ prompt: 'hi', models: ['a', 'b'] }))).rejects.toMatchObject({ code });
    expect(caller.callsTo('b')).toHaveLength(0);
  });

  it('reports LA_ALL_MODELS_FAILED with every model and code when all fail (transient if any was)', async () => {
    const { caller, orchestrator } = setup();
    caller.script('a', { error: rateLimited() }).script('b', { error: new AuthenticationError({ message: 'bad key' }) });
    const error = await run(orchestrator.generate({ prompt: 'hi', models: ['a', 'b'] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error).toMatchObject({
      code: 'LA_ALL_MODELS_FAILED',
      category: 'transient',
      message: 'All 2 models failed: a (LA_PROVIDER_RATE_LIMITED), b (LA_PROVIDER_AUTH).',
      details: { failures: [{ model: 'a', code: 'LA_PROVIDER_RATE_LIMITED' }, { model: 'b', code: 'LA_PROVIDER_AUTH' }] },
    });
    expect((error as LocalAgentError).suggestion).toMatch(/localagent models health/);
    expect((error as LocalAgentError).suggestion).toMatch(/set-key/);
    expect((error as LocalAgentError).suggestion).toMatch(/fallback/);
  });

  it('marks LA_ALL_MODELS_FAILED permanent when no failure was transient', async () => {
    const { caller, orchestrator } = setup();
    caller.script('a', { error: new AuthenticationError({ message: 'bad key' }) }).script('b', { error: new AuthenticationError({ message: 'bad key' }) });
    await expect(run(orchestrator.generate({ prompt: 'hi', models: ['a', 'b'] }))).rejects.toMatchObject({ code: 'LA_ALL_MODELS_FAILED', category: 'permanent' });
  });

  it("throws a single candidate's own error rather than a summary", async () => {
    const { caller, orchestrator } = setup();
    caller.script('a', { error: rateLimited() });
    await expect(run(orchestrator.generate({ prompt: 'hi', model: 'a' }))).rejects.toMatchObject({ code: 'LA_PROVIDER_RATE_LIMITED' });
    expect(caller.callsTo('b')).toHaveLength(0);
  });

  it('logs each fail-over with the model and code', async () => {
    const lines: [Record<string, unknown>, string][] = [];
    const log = (obj: Record<string, unknown>, msg: string): void => void lines.push([obj, msg]);
    const { caller, orchestrator } = setup({ extra: { logger: { debug: log, info: log, warn: log, error: log } } });
    caller.script('a', { error: rateLimited() });
    await run(orchestrator.generate({ prompt: 'hi', models: ['a', 'b'] }));
    expect(lines).toEqual([[{ model: 'a', error_code: 'LA_PROVIDER_RATE_LIMITED' }, 'model failed; failing over to the next candidate']]);
  });

  it('uses the shouldFailOver it is given', async () => {
    const decide = vi.fn(() => false);
    const { caller, orchestrator } = setup({ extra: { shouldFailOver: decide } });
    caller.script('a', { error: rateLimited() });
    await expect(run(orchestrator.generate({ prompt: 'hi', models: ['a', 'b'] }))).rejects.toMatchObject({ code: 'LA_PROVIDER_RATE_LIMITED' });
    expect(decide).toHaveBeenCalledWith(expect.any(RateLimitError));
  });

  it('stops at once when the caller aborts, without trying the next model or recording the call', async () => {
    const { caller, orchestrator, stats } = setup();
    caller.script('a', { latencyMs: 1_000 });
    const controller = new AbortController();
    const failed = orchestrator.generate({ prompt: 'hi', models: ['a', 'b'], signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    expect(await failed).toMatchObject({ code: 'LA_CANCELLED' });
    expect(caller.callsTo('a')[0]?.aborted).toBe(true);
    expect(caller.callsTo('b')).toHaveLength(0);
    expect(stats.get('ai', 'a').count).toBe(0);
  });

  it("keeps the caller's abort reason (e.g. a task timeout) and does not fail over on it", async () => {
    const { caller, orchestrator } = setup();
    caller.script('a', { latencyMs: 1_000 });
    const controller = new AbortController();
    const failed = orchestrator.generate({ prompt: 'hi', models: ['a', 'b'], signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort(new TimeoutError({ message: 'task timed out' }));
    expect(await failed).toMatchObject({ code: 'LA_TIMEOUT', message: 'task timed out' });
    expect(caller.callsTo('b')).toHaveLength(0);
  });

  it('does not start when the signal is already aborted', async () => {
    const { caller, orchestrator } = setup();
    await expect(run(orchestrator.generate({ prompt: 'hi', model: 'a', signal: AbortSignal.abort() }))).rejects.toMatchObject({ code: 'LA_CANCELLED' });
    expect(caller.calls).toHaveLength(0);
  });

  it('passes the request without the selection fields', async () => {
    const { caller, orchestrator } = setup();
    await run(orchestrator.generate({ prompt: 'hi', temperature: 0.2, models: ['a'], strategy: 'fallback' }));
    expect(caller.calls[0]?.request).toEqual({ prompt: 'hi', temperature: 0.2 });
  });
});

describe('Orchestrator.generate: statistics', () => {
  it('records successes and failures under the task kind, but not cancellations', async () => {
    const { caller, orchestrator, stats } = setup();
    caller.script('a', { latencyMs: 40, error: rateLimited() }).script('b', { latencyMs: 25, costUsd: 0.01 });
    await run(orchestrator.generate({ prompt: 'hi', models: ['a', 'b'], taskKind: 'summarize' }));
    expect(stats.get('summarize', 'a')).toMatchObject({ count: 1, successRate: 0, latencyP50Ms: undefined });
    expect(stats.get('summarize', 'b')).toMatchObject({ count: 1, successRate: 1, latencyP50Ms: 25, meanCostUsd: 0.01 });
    expect(stats.get('ai', 'b').count).toBe(0);
  });

  it('records the failure code, tokens and first-token time', async () => {
    const recorded: CallObservation[] = [];
    const { caller, orchestrator } = setup({ extra: { stats: { record: (o) => recorded.push(o), get: (taskKind, model) => ({ model, taskKind, count: 0, successRate: undefined, latencyP50Ms: undefined, latencyP95Ms: undefined, meanCostUsd: undefined }) } } });
    caller.script('a', { error: rateLimited() });
    await run(orchestrator.generate({ prompt: 'hi', models: ['a', 'b'] }));
    expect(recorded[0]).toMatchObject({ model: 'a', taskKind: 'ai', success: false, errorCode: 'LA_PROVIDER_RATE_LIMITED', costUsd: 0 });
    expect(recorded[1]).toMatchObject({ model: 'b', success: true, inputTokens: 10, outputTokens: 5 });
    expect(recorded[1]?.at).toBeInstanceOf(Date);
  });

  it('records nothing with recordStats: false', async () => {
    const { orchestrator, stats } = setup({ extra: { recordStats: false } });
    await run(orchestrator.generate({ prompt: 'hi', model: 'a' }));
    expect(stats.get('ai', 'a').count).toBe(0);
  });

  it('lets `fastest` learn from its own calls', async () => {
    const { caller, orchestrator } = setup();
    caller.script('a', { latencyMs: 500 }).script('b', { latencyMs: 50 });
    for (let i = 0; i < 3; i += 1) {
      await run(orchestrator.generate({ prompt: 'hi', model: 'a' }));
      await run(orchestrator.generate({ prompt: 'hi', model: 'b' }));
    }
    expect(orchestrator.select({ prompt: 'hi', models: ['a', 'b'], strategy: 'fastest' }).order).toEqual(['b', 'a']);
    const outcome = await run(orchestrator.generate({ prompt: 'hi', models: ['a', 'b'], strategy: 'fastest' }));
    expect(outcome.result.model).toBe('b');
    expect(outcome.strategy).toBe('fastest');
  });
});

describe('Orchestrator: choosing candidates', () => {
  const priced = [
    spec('pricey', { price: { input: 10, output: 30 }, capabilities: ['text', 'json'] }),
    spec('cheap', { price: { input: 1, output: 1 } }),
    spec('eyes', { capabilities: ['vision'] }),
  ];

  it('uses `model` alone (explicit)', () => {
    const { orchestrator } = setup();
    expect(orchestrator.select({ model: 'b' })).toEqual({ strategy: 'explicit', order: ['b'], skipped: [], taskKind: 'ai' });
  });

  it('orders `models` by the strategy, fallback by default, dropping duplicates', () => {
    const { orchestrator } = setup({ specs: priced });
    expect(orchestrator.select({ models: ['pricey', 'cheap', 'pricey'] }).order).toEqual(['pricey', 'cheap']);
    expect(orchestrator.select({ models: ['pricey', 'cheap'], strategy: 'cheapest' }).order).toEqual(['cheap', 'pricey']);
  });

  it('uses default_model when the request names nothing', () => {
    const { orchestrator } = setup({ config: { default_model: 'c', default_strategy: 'cheapest' } });
    expect(orchestrator.select({ prompt: 'hi' })).toMatchObject({ strategy: 'explicit', order: ['c'] });
  });

  it('uses default_strategy over every capable model without default_model, and a named strategy over all', () => {
    const { orchestrator } = setup({ specs: priced, config: { default_strategy: 'cheapest' } });
    expect(orchestrator.select({ prompt: 'hi' })).toEqual({ strategy: 'cheapest', order: ['cheap', 'pricey'], skipped: ['eyes'], taskKind: 'ai' });
    const withDefault = setup({ specs: priced, config: { default_model: 'pricey', default_strategy: 'fallback' } }).orchestrator;
    expect(withDefault.select({ prompt: 'hi', strategy: 'cheapest' }).order).toEqual(['cheap', 'pricey']);
  });

  it('takes the first capable configured model for default_strategy explicit', () => {
    const specs = [spec('eyes', { capabilities: ['vision'] }), spec('first'), spec('second')];
    const { orchestrator } = setup({ specs, config: { default_strategy: 'explicit' } });
    expect(orchestrator.select({ prompt: 'hi' })).toMatchObject({ strategy: 'explicit', order: ['first'] });
  });

  it('skips models without the needed capability and prefers json for schema requests (computed orders only)', () => {
    const { orchestrator } = setup({ specs: priced });
    const schema = { type: 'object' };
    expect(orchestrator.select({ schema, models: ['cheap', 'pricey', 'eyes'], strategy: 'cheapest' })).toMatchObject({
      order: ['pricey', 'cheap'],
      skipped: ['eyes'],
    });
    expect(orchestrator.select({ schema, models: ['cheap', 'pricey', 'eyes'] })).toMatchObject({ order: ['cheap', 'pricey'], skipped: ['eyes'] });
  });

  it('throws LA_NO_CAPABLE_MODEL when nothing can serve, and when nothing is configured', async () => {
    const { orchestrator, caller } = setup({ specs: priced });
    const error = await run(orchestrator.generate({ prompt: 'hi', model: 'eyes' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserInputError);
    expect(error).toMatchObject({ code: 'LA_NO_CAPABLE_MODEL', category: 'user', message: expect.stringContaining('eyes') as string });
    expect(caller.calls).toHaveLength(0);
    const empty = setup({ specs: [] }).orchestrator;
    expect(() => empty.select({ prompt: 'hi' })).toThrow(expect.objectContaining({ code: 'LA_NO_CAPABLE_MODEL', message: 'No models are configured.' }));
  });

  it('throws LA_MODEL_UNKNOWN with a suggestion for unknown ids, before calling anything', async () => {
    const { orchestrator, caller } = setup({ specs: [spec('fast'), spec('smart')] });
    await expect(run(orchestrator.generate({ prompt: 'hi', models: ['fast', 'smrt'] }))).rejects.toMatchObject({
      code: 'LA_MODEL_UNKNOWN',
      category: 'user',
      message: 'There is no model "smrt". Did you mean "smart"?',
    });
    expect(() => orchestrator.select({ model: 'nope' })).toThrow(expect.objectContaining({ code: 'LA_MODEL_UNKNOWN' }));
    const badDefault = setup({ config: { default_model: 'gone' } }).orchestrator;
    expect(() => badDefault.select({})).toThrow(expect.objectContaining({ code: 'LA_MODEL_UNKNOWN' }));
    expect(caller.calls).toHaveLength(0);
  });

  it.each<[string, OrchestratedRequest, RegExp]>([
    ['an unknown strategy', { models: ['a'], strategy: 'fastes' as never }, /Unknown strategy "fastes". Did you mean "fastest"\?/],
    ['model and models together', { model: 'a', models: ['b'] }, /`model` names exactly one model/],
    ['model with a non-explicit strategy', { model: 'a', strategy: 'cheapest' }, /`model` names exactly one model/],
    ['an empty list', { models: [] }, /empty/],
    ['explicit over several models', { models: ['a', 'b'], strategy: 'explicit' }, /exactly one model/],
  ])('refuses %s with LA_INPUT_INVALID', (_name, request, message) => {
    const { orchestrator } = setup();
    expect(() => orchestrator.select(request)).toThrow(expect.objectContaining({ code: 'LA_INPUT_INVALID', message: expect.stringMatching(message) as string }));
  });

  it('accepts model with strategy explicit', () => {
    expect(setup().orchestrator.select({ model: 'a', strategy: 'explicit' }).order).toEqual(['a']);
  });

  it('defaults the clock to performance.now', async () => {
    vi.useRealTimers();
    const { caller, orchestrator } = setup({ extra: { now: undefined as never } });
    caller.script('a', { latencyMs: 0 });
    const outcome = await orchestrator.generate({ prompt: 'hi', model: 'a' });
    expect(outcome.tried[0]?.latencyMs).toBeGreaterThanOrEqual(0);
  });
});
