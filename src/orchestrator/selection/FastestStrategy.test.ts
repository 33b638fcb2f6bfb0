import { describe, expect, it } from 'vitest';
import { FastestStrategy } from './FastestStrategy.js';
import { spec } from './test-support/FakeModelCaller.js';
import { statsWith, type History } from './test-support/statsWith.js';

function order(histories: Record<string, History>, ids: string[], taskKind = 'ai'): string[] {
  const context = { taskKind, stats: statsWith(histories), request: {} };
  return new FastestStrategy().order(ids.map((id) => spec(id)), context).map((s) => s.id);
}

describe('FastestStrategy', () => {
  it('orders measured models by p50 latency, lowest first', () => {
    expect(order({ slow: { ok: [900, 1000, 1100] }, quick: { ok: [90, 100, 5000] }, mid: { ok: [400, 500, 600] } }, ['slow', 'quick', 'mid'])).toEqual([
      'quick',
      'mid',
      'slow',
    ]);
  });

  it('tries models with fewer than 3 calls first, in the given order, to measure them', () => {
    expect(order({ quick: { ok: [10, 10, 10] }, newer: { ok: [5000] } }, ['quick', 'newer', 'unseen'])).toEqual(['newer', 'unseen', 'quick']);
  });

  it('puts models that never succeeded in the window last', () => {
    expect(order({ broken: { failures: 5 }, slow: { ok: [2000, 2000, 2000] } }, ['broken', 'slow'])).toEqual(['slow', 'broken']);
  });

  it('keeps the given order for equal latencies', () => {
    expect(order({ a: { ok: [100, 100, 100] }, b: { ok: [100, 100, 100] } }, ['b', 'a'])).toEqual(['b', 'a']);
  });

  it('reads the statistics of the request task kind only', () => {
    const histories = { a: { ok: [10, 10, 10], taskKind: 'plan' }, b: { ok: [50, 50, 50], taskKind: 'plan' } };
    expect(order(histories, ['b', 'a'], 'plan')).toEqual(['a', 'b']);
    expect(order(histories, ['b', 'a'], 'ai')).toEqual(['b', 'a']); // both unknown for `ai`
  });

  it('takes the sample threshold from its constructor', () => {
    const context = { taskKind: 'ai', stats: statsWith({ a: { ok: [500] }, b: { ok: [50] } }), request: {} };
    expect(new FastestStrategy(1).order([spec('a'), spec('b')], context).map((s) => s.id)).toEqual(['b', 'a']);
  });
});
