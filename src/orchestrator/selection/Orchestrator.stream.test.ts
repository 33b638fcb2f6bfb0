import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NetworkError, ProviderError, RateLimitError, TimeoutError } from '../../core/errors/index.js';
import type { OrchestratedStreamEvent } from './results.js';
import { run, setup } from './test-support/setup.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Every event until the stream ends, and the error it ended with, if any. */
async function drain(stream: AsyncIterable<OrchestratedStreamEvent>): Promise<{ events: OrchestratedStreamEvent[]; error?: unknown }> {
  const events: OrchestratedStreamEvent[] = [];
  return run(
    (async () => {
      try {
        for await (const event of stream) events.push(event);
        return { events };
      } catch (error) {
        return { events, error };
      }
    })(),
  );
}

describe('Orchestrator.stream', () => {
  it('streams the first model that works', async () => {
    const { caller, orchestrator } = setup();
    caller.script('a', { latencyMs: 10, chunks: ['Hel', 'lo'], text: 'Hello' });
    const { events, error } = await drain(orchestrator.stream({ prompt: 'hi', model: 'a' }));
    expect(error).toBeUndefined();
    expect(events.slice(0, 2)).toEqual([
      { type: 'text', text: 'Hel', model: 'a' },
      { type: 'text', text: 'lo', model: 'a' },
    ]);
    expect(events[2]).toMatchObject({ type: 'done', strategy: 'explicit', tried: [{ model: 'a', ok: true, latencyMs: 10 }], result: { text: 'Hello' } });
  });

  it('fails over when a stream fails before its first text event', async () => {
    const { caller, orchestrator, stats } = setup();
    caller.script('a', { latencyMs: 5_000, error: new TimeoutError({ code: 'LA_FIRST_TOKEN_TIMEOUT', message: 'no first token' }) });
    caller.script('b', { latencyMs: 20, chunks: ['from ', 'b'], text: 'from b' });
    const { events, error } = await drain(orchestrator.stream({ prompt: 'hi', models: ['a', 'b'] }));
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === 'text').map((e) => e.model)).toEqual(['b', 'b']);
    expect(events.at(-1)).toMatchObject({
      type: 'done',
      tried: [
        { model: 'a', ok: false, errorCode: 'LA_FIRST_TOKEN_TIMEOUT', latencyMs: 5_000 },
        { model: 'b', ok: true, latencyMs: 20 },
      ],
    });
    expect(stats.get('ai', 'a')).toMatchObject({ count: 1, successRate: 0 });
  });

  it('does not fail over once text was yielded: the error ends the stream', async () => {
    const { caller, orchestrator } = setup();
    caller.script('a', { chunks: ['partial '], error: new NetworkError({ message: 'reset' }) });
    const { events, error } = await drain(orchestrator.stream({ prompt: 'hi', models: ['a', 'b'] }));
    expect(events).toEqual([{ type: 'text', text: 'partial ', model: 'a' }]);
    expect(error).toMatchObject({ code: 'LA_NETWORK' });
    expect(caller.callsTo('b')).toHaveLength(0);
  });

  it('does not fail over on a bad request before text either', async () => {
    const { caller, orchestrator } = setup();
    caller.script('a', { error: new ProviderError({ code: 'LA_PROVIDER_BAD_REQUEST', category: 'user', message: 'bad' }) });
    const { events, error } = await drain(orchestrator.stream({ prompt: 'hi', models: ['a', 'b'] }));
    expect(events).toEqual([]);
    expect(error).toMatchObject({ code: 'LA_PROVIDER_BAD_REQUEST' });
    expect(caller.callsTo('b')).toHaveLength(0);
  });

  it('reports LA_ALL_MODELS_FAILED when every stream fails before text', async () => {
    const { caller, orchestrator } = setup();
    caller.script('a', { error: new RateLimitError({ message: '429' }) }).script('b', { error: new NetworkError({ message: 'reset' }) });
    const { error } = await drain(orchestrator.stream({ prompt: 'hi', models: ['a', 'b'] }));
    expect(error).toMatchObject({ code: 'LA_ALL_MODELS_FAILED', message: 'All 2 models failed: a (LA_PROVIDER_RATE_LIMITED), b (LA_NETWORK).' });
  });

  it('treats a stream that ends without a result as a bug (no fail-over)', async () => {
    const { caller, orchestrator } = setup();
    caller.script('a', { chunks: [], noDone: true });
    const { error } = await drain(orchestrator.stream({ prompt: 'hi', models: ['a', 'b'] }));
    expect(error).toMatchObject({ code: 'LA_INTERNAL', message: 'The stream from model a ended without a result.' });
  });

  it('stops on the caller abort before the first token, without trying the next model', async () => {
    const { caller, orchestrator, stats } = setup();
    caller.script('a', { latencyMs: 1_000 });
    const controller = new AbortController();
    const events: OrchestratedStreamEvent[] = [];
    const done = (async () => {
      for await (const event of orchestrator.stream({ prompt: 'hi', models: ['a', 'b'], signal: controller.signal })) events.push(event);
    })().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    expect(await done).toMatchObject({ code: 'LA_CANCELLED' });
    expect(events).toEqual([]);
    expect(caller.callsTo('b')).toHaveLength(0);
    expect(stats.get('ai', 'a').count).toBe(0);
  });

  it('selects like generate (unknown model fails on the first read)', async () => {
    const { orchestrator } = setup();
    const { error } = await drain(orchestrator.stream({ prompt: 'hi', model: 'zzz' }));
    expect(error).toMatchObject({ code: 'LA_MODEL_UNKNOWN' });
  });
});
