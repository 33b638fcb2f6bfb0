import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NetworkError, ProviderUnavailableError, RateLimitError } from '../../core/errors/index.js';
import { spec } from './test-support/FakeModelCaller.js';
import { run, setup } from './test-support/setup.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Orchestrator.race', () => {
  it('returns the first good answer and aborts the others', async () => {
    const { caller, orchestrator, stats } = setup();
    caller.script('a', { latencyMs: 300 }).script('b', { latencyMs: 50, costUsd: 0.002 }).script('c', { latencyMs: 900 });
    const outcome = await run(orchestrator.race({ prompt: 'hi' }, ['a', 'b', 'c']));
    expect(outcome.result.model).toBe('b');
    expect(outcome.members).toEqual([
      { model: 'a', status: 'aborted', latencyMs: 50, costUsd: 0, errorCode: 'LA_CANCELLED' },
      { model: 'b', status: 'won', latencyMs: 50, costUsd: 0.002 },
      { model: 'c', status: 'aborted', latencyMs: 50, costUsd: 0, errorCode: 'LA_CANCELLED' },
    ]);
    expect(outcome.totalCostUsd).toBe(0.002);
    // The losers really were aborted through their own signals.
    expect(caller.callsTo('a')[0]).toMatchObject({ aborted: true });
    expect(caller.callsTo('c')[0]).toMatchObject({ aborted: true });
    expect(caller.callsTo('a')[0]?.request.signal?.aborted).toBe(true);
    expect(caller.callsTo('b')[0]?.request.signal).not.toBe(caller.callsTo('a')[0]?.request.signal);
    // Aborted calls say nothing about the model.
    expect(stats.get('ai', 'a').count).toBe(0);
    expect(stats.get('ai', 'b').count).toBe(1);
  });

  it('keeps failures that came before the winner as failed', async () => {
    const { caller, orchestrator, stats } = setup();
    caller.script('a', { latencyMs: 10, error: new ProviderUnavailableError({ message: '503', status: 503 }) });
    caller.script('b', { latencyMs: 50 }).script('c', { latencyMs: 70 });
    const outcome = await run(orchestrator.race({ prompt: 'hi' }, ['a', 'b', 'c']));
    expect(outcome.members.map((m) => [m.model, m.status, m.errorCode])).toEqual([
      ['a', 'failed', 'LA_PROVIDER_UNAVAILABLE'],
      ['b', 'won', undefined],
      ['c', 'aborted', 'LA_CANCELLED'],
    ]);
    expect(stats.get('ai', 'a')).toMatchObject({ count: 1, successRate: 0 });
  });

  it('reports a member that answered after the winner (ignoring its abort) as lost, with its cost', async () => {
    const { caller, orchestrator } = setup();
    caller.script('a', { latencyMs: 10, costUsd: 0.01 }).script('b', { latencyMs: 20, costUsd: 0.03, ignoreAbort: true });
    const outcome = await run(orchestrator.race({ prompt: 'hi' }, ['a', 'b']));
    expect(outcome.members.map((m) => [m.model, m.status])).toEqual([
      ['a', 'won'],
      ['b', 'lost'],
    ]);
    expect(outcome.totalCostUsd).toBeCloseTo(0.04, 10);
  });

  it('throws LA_ALL_MODELS_FAILED when every member fails', async () => {
    const { caller, orchestrator } = setup();
    caller.script('a', { latencyMs: 5, error: new RateLimitError({ message: '429' }) }).script('b', { latencyMs: 1, error: new NetworkError({ message: 'reset' }) });
    await expect(run(orchestrator.race({ prompt: 'hi' }, ['a', 'b']))).rejects.toMatchObject({
      code: 'LA_ALL_MODELS_FAILED',
      message: 'All 2 models failed: a (LA_PROVIDER_RATE_LIMITED), b (LA_NETWORK).',
    });
  });

  it('aborts every member when the caller aborts mid-race', async () => {
    const { caller, orchestrator } = setup();
    caller.script('a', { latencyMs: 300 }).script('b', { latencyMs: 500 });
    const controller = new AbortController();
    const failed = orchestrator.race({ prompt: 'hi', signal: controller.signal }, ['a', 'b']).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    expect(await failed).toMatchObject({ code: 'LA_CANCELLED' });
    expect(caller.calls.map((c) => c.aborted)).toEqual([true, true]);
  });

  it('does not start when the signal is already aborted', async () => {
    const { caller, orchestrator } = setup();
    await expect(run(orchestrator.race({ prompt: 'hi', signal: AbortSignal.abort() }, ['a', 'b']))).rejects.toMatchObject({ code: 'LA_CANCELLED' });
    expect(caller.calls).toHaveLength(0);
  });

  it('refuses unknown models and an empty list before calling, and skips incapable ones', async () => {
    const { caller, orchestrator } = setup({ specs: [spec('a'), spec('b'), spec('eyes', { capabilities: ['vision'] })] });
    await expect(run(orchestrator.race({ prompt: 'hi' }, ['a', 'x']))).rejects.toMatchObject({ code: 'LA_MODEL_UNKNOWN' });
    await expect(run(orchestrator.race({ prompt: 'hi' }, []))).rejects.toMatchObject({ code: 'LA_INPUT_INVALID' });
    await expect(run(orchestrator.race({ prompt: 'hi' }, ['eyes']))).rejects.toMatchObject({ code: 'LA_NO_CAPABLE_MODEL' });
    expect(caller.calls).toHaveLength(0);
    const outcome = await run(orchestrator.race({ prompt: 'hi' }, ['eyes', 'a']));
    expect(outcome.skipped).toEqual(['eyes']);
    expect(outcome.members.map((m) => m.model)).toEqual(['a']);
  });
});
