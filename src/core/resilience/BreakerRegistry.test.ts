import { describe, expect, it } from 'vitest';
import { CircuitOpenError, ConfigurationError, NetworkError } from '../errors/index.js';
import { Metrics } from '../metrics/index.js';
import { BreakerRegistry } from './BreakerRegistry.js';
import type { BreakerTransition } from './CircuitBreaker.js';
import { FakeClock } from './test-support/FakeClock.js';
import { RecordingLogger } from './test-support/RecordingLogger.js';

const down = (): Promise<never> => Promise.reject(new NetworkError({ message: 'down' }));

describe('BreakerRegistry', () => {
  it('creates one breaker per key, lazily, with the shared settings', () => {
    const registry = new BreakerRegistry({ breaker: { failure_threshold: 7 }, clock: new FakeClock() });
    expect(registry.find('openai')).toBeUndefined();
    expect(registry.snapshot()).toEqual([]);
    const breaker = registry.get('openai');
    expect(registry.get('openai')).toBe(breaker);
    expect(registry.find('openai')).toBe(breaker);
    expect(registry.get('anthropic')).not.toBe(breaker);
    expect(registry.config).toEqual({ failure_threshold: 7, half_open_after_ms: 30_000, success_threshold: 2, probe_timeout_ms: 10_000 });
    expect(registry.get('anthropic').snapshot().failure_threshold).toBe(7);
  });

  it('keeps keys isolated: one provider failing does not affect another', async () => {
    const registry = new BreakerRegistry({ breaker: { failure_threshold: 2 }, clock: new FakeClock() });
    const openai = registry.get('openai');
    for (let i = 0; i < 2; i += 1) await expect(openai.execute(down)).rejects.toBeInstanceOf(NetworkError);
    await expect(openai.execute(() => 'x')).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(registry.get('ollama').execute(() => 'fine')).resolves.toBe('fine');
    expect(registry.get('ollama').state).toBe('closed');
  });

  it('snapshots every breaker, sorted by key', async () => {
    const clock = new FakeClock();
    const registry = new BreakerRegistry({ breaker: { failure_threshold: 1, half_open_after_ms: 5_000 }, clock });
    registry.get('openai');
    registry.get('anthropic');
    await registry.get('gemini').execute(down).catch(() => undefined);
    const snapshot = registry.snapshot();
    expect(snapshot.map((s) => [s.key, s.state])).toEqual([
      ['anthropic', 'closed'],
      ['gemini', 'open'],
      ['openai', 'closed'],
    ]);
    expect(snapshot[1]).toMatchObject({
      failures: 1,
      opened_at: new Date(clock.now()).toISOString(),
      next_probe_at: new Date(clock.now() + 5_000).toISOString(),
    });
  });

  it('relays state changes of all breakers and writes logs and metrics', async () => {
    const logger = new RecordingLogger();
    const metrics = new Metrics();
    const registry = new BreakerRegistry({ breaker: { failure_threshold: 1 }, clock: new FakeClock(), logger, metrics });
    const seen: BreakerTransition[] = [];
    registry.onStateChange((t) => seen.push(t));
    await registry.get('a').execute(down).catch(() => undefined);
    await registry.get('b').execute(down).catch(() => undefined);
    expect(seen.map((t) => [t.key, t.to])).toEqual([
      ['a', 'open'],
      ['b', 'open'],
    ]);
    expect(logger.transitions().map((t) => t.key)).toEqual(['a', 'b']);
    expect(await metrics.valueOf('localagent_breaker_state', { key: 'b' })).toBe(2);
  });

  it('works with the real clock and defaults', async () => {
    const registry = new BreakerRegistry();
    await expect(registry.get('x').execute(() => 1)).resolves.toBe(1);
    expect(registry.config.failure_threshold).toBe(5);
  });

  it('rejects invalid settings with a ConfigurationError', () => {
    expect(() => new BreakerRegistry({ breaker: { success_threshold: 0 } })).toThrow(ConfigurationError);
  });
});
