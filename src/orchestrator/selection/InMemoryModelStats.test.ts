import { describe, expect, it } from 'vitest';
import type { CallObservation } from '../types/index.js';
import { percentile } from '../../core/collections/index.js';
import { InMemoryModelStats } from './InMemoryModelStats.js';

function obs(model: string, latencyMs: number, extra: Partial<CallObservation> = {}): CallObservation {
  return { model, taskKind: 'ai', success: true, latencyMs, inputTokens: 1, outputTokens: 1, costUsd: 0, at: new Date(0), ...extra };
}

describe('InMemoryModelStats', () => {
  it('reports nothing for a pair it has not seen', () => {
    const stats = new InMemoryModelStats({ window: 5 });
    expect(stats.get('ai', 'fast')).toEqual({
      model: 'fast',
      taskKind: 'ai',
      count: 0,
      successRate: undefined,
      latencyP50Ms: undefined,
      latencyP95Ms: undefined,
      meanCostUsd: undefined,
    });
  });

  it('computes nearest-rank p50 and p95 over successful calls', () => {
    const stats = new InMemoryModelStats({ window: 100 });
    // Recorded out of order on purpose: percentiles must sort.
    for (const ms of [20, 1, 19, 2, 18, 3, 17, 4, 16, 5, 15, 6, 14, 7, 13, 8, 12, 9, 11, 10]) stats.record(obs('m', ms));
    const snapshot = stats.get('ai', 'm');
    expect(snapshot.count).toBe(20);
    expect(snapshot.latencyP50Ms).toBe(10);
    expect(snapshot.latencyP95Ms).toBe(19);
  });

  it('counts failures in the success rate but not in latency or cost', () => {
    const stats = new InMemoryModelStats({ window: 10 });
    stats.record(obs('m', 100, { costUsd: 0.02 }));
    stats.record(obs('m', 300, { costUsd: 0.04 }));
    stats.record(obs('m', 5_000, { success: false, errorCode: 'LA_TIMEOUT', costUsd: 0 }));
    stats.record(obs('m', 1, { success: false, errorCode: 'LA_NETWORK' }));
    const snapshot = stats.get('ai', 'm');
    expect(snapshot.count).toBe(4);
    expect(snapshot.successRate).toBe(0.5);
    expect(snapshot.latencyP50Ms).toBe(100);
    expect(snapshot.latencyP95Ms).toBe(300);
    expect(snapshot.meanCostUsd).toBeCloseTo(0.03, 10);
  });

  it('has no latency or cost when every call in the window failed', () => {
    const stats = new InMemoryModelStats({ window: 3 });
    stats.record(obs('m', 10, { success: false }));
    expect(stats.get('ai', 'm')).toMatchObject({ count: 1, successRate: 0, latencyP50Ms: undefined, meanCostUsd: undefined });
  });

  it('keeps only the last `window` observations (the oldest are evicted)', () => {
    const stats = new InMemoryModelStats({ window: 3 });
    stats.record(obs('m', 10, { success: false }));
    stats.record(obs('m', 20));
    stats.record(obs('m', 30));
    expect(stats.get('ai', 'm')).toMatchObject({ count: 3, successRate: 2 / 3, latencyP50Ms: 20 });
    stats.record(obs('m', 40)); // evicts the failure
    expect(stats.get('ai', 'm')).toMatchObject({ count: 3, successRate: 1, latencyP50Ms: 30, latencyP95Ms: 40 });
    stats.record(obs('m', 50));
    stats.record(obs('m', 60)); // wrapped twice: 40, 50, 60 remain
    expect(stats.get('ai', 'm')).toMatchObject({ count: 3, latencyP50Ms: 50, latencyP95Ms: 60 });
  });

  it('keeps task kinds and models apart', () => {
    const stats = new InMemoryModelStats({ window: 5 });
    stats.record(obs('m', 10));
    stats.record(obs('m', 99, { taskKind: 'plan' }));
    stats.record(obs('n', 50));
    expect(stats.get('ai', 'm').latencyP50Ms).toBe(10);
    expect(stats.get('plan', 'm').latencyP50Ms).toBe(99);
    expect(stats.get('ai', 'n').latencyP50Ms).toBe(50);
    expect(stats.get('plan', 'n').count).toBe(0);
  });

  it('drops the least recently recorded series beyond maxSeries', () => {
    const stats = new InMemoryModelStats({ window: 2, maxSeries: 2 });
    stats.record(obs('a', 1));
    stats.record(obs('b', 1));
    stats.record(obs('a', 2)); // a is now the most recent
    stats.record(obs('c', 1)); // evicts b
    expect(stats.get('ai', 'b').count).toBe(0);
    expect(stats.get('ai', 'a').count).toBe(2);
    expect(stats.get('ai', 'c').count).toBe(1);
  });

  it('returns a fresh snapshot after each record (no stale cache)', () => {
    const stats = new InMemoryModelStats({ window: 5 });
    stats.record(obs('m', 10));
    expect(stats.get('ai', 'm').latencyP50Ms).toBe(10);
    stats.record(obs('m', 30));
    stats.record(obs('m', 20));
    expect(stats.get('ai', 'm').latencyP50Ms).toBe(20);
  });

  it('refuses a window that is not a positive integer', () => {
    expect(() => new InMemoryModelStats({ window: 0 })).toThrow(/positive integer/);
    expect(() => new InMemoryModelStats({ window: 2.5 })).toThrow(/positive integer/);
    expect(() => new InMemoryModelStats({ window: 2, maxSeries: 0 })).toThrow(/positive integer/);
  });
});

describe('percentile', () => {
  it('is the nearest rank and undefined for no values', () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0)).toBe(1);
    expect(percentile([1, 2, 3, 4], 100)).toBe(4);
  });
});
