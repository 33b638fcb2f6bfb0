import { describe, expect, it } from 'vitest';
import { AutoStrategy } from './AutoStrategy.js';
import { spec } from './test-support/FakeModelCaller.js';
import { statsWith } from './test-support/statsWith.js';

const tens = (n: number, ms: number): number[] => Array(n).fill(ms) as number[];

describe('AutoStrategy', () => {
  const models = [
    spec('pricey-fast', { price: { input: 10, output: 30 } }), // blended 15
    spec('cheap-slow', { price: { input: 1, output: 3 } }), // blended 1.5
    spec('flaky-free'),
  ];
  const stats = statsWith({
    'pricey-fast': { ok: tens(10, 100) },
    'cheap-slow': { ok: tens(10, 1000) },
    'flaky-free': { ok: tens(2, 400), failures: 8 },
  });
  const context = { taskKind: 'ai', stats, request: {} };

  it('scores S + L + C with the documented terms', () => {
    const scores = new AutoStrategy({ success: 1, latency: 1, cost: 1 }).explain(models, context);
    const [pf, cs, ff] = scores;
    expect(pf).toMatchObject({ model: 'pricey-fast', success: 11 / 12, latency: 0.9, cost: 0 });
    expect(cs).toMatchObject({ model: 'cheap-slow', success: 11 / 12, latency: 0, cost: 0.9 });
    expect(ff).toMatchObject({ model: 'flaky-free', success: 3 / 12, latency: 0.6, cost: 1 });
    expect(pf?.score).toBeCloseTo(11 / 12 + 0.9, 10);
  });

  it('follows the weights', () => {
    const ids = (weights: { success: number; latency: number; cost: number }): string[] =>
      new AutoStrategy(weights).order(models, context).map((s) => s.id);
    expect(ids({ success: 0, latency: 1, cost: 0 })).toEqual(['pricey-fast', 'flaky-free', 'cheap-slow']);
    expect(ids({ success: 0, latency: 0, cost: 1 })).toEqual(['flaky-free', 'cheap-slow', 'pricey-fast']);
    expect(ids({ success: 1, latency: 0, cost: 0 })).toEqual(['pricey-fast', 'cheap-slow', 'flaky-free']);
    expect(ids({ success: 0.6, latency: 0.2, cost: 0.2 })).toEqual(['pricey-fast', 'cheap-slow', 'flaky-free']);
  });

  it('gives an unmeasured model the mean latency term and 0.5 success, and keeps ties in the given order', () => {
    const scores = new AutoStrategy({ success: 1, latency: 1, cost: 0 }).explain([...models, spec('unseen')], context);
    expect(scores[3]).toMatchObject({ success: 0.5, latency: 0.5, cost: 1 });
    const tie = new AutoStrategy({ success: 1, latency: 1, cost: 1 }).order([spec('x'), spec('y')], { taskKind: 'ai', stats: statsWith({}), request: {} });
    expect(tie.map((s) => s.id)).toEqual(['x', 'y']);
  });

  it('treats every candidate as free-and-equal when none has a price or a measurement', () => {
    const scores = new AutoStrategy({ success: 1, latency: 1, cost: 1 }).explain([spec('x')], { taskKind: 'ai', stats: statsWith({}), request: {} });
    expect(scores[0]).toMatchObject({ success: 0.5, latency: 0, cost: 1, score: 1.5 });
  });
});
