import { describe, expect, it } from 'vitest';
import { InMemoryModelStats } from './InMemoryModelStats.js';
import { LearnStrategy } from './LearnStrategy.js';
import { seededRandom } from '../../core/random/index.js';
import { sampleBeta } from './sampleBeta.js';
import { spec } from './test-support/FakeModelCaller.js';
import { statsWith } from './test-support/statsWith.js';

const weights = { success: 0.6, latency: 0.2, cost: 0.2 };
const request = { prompt: 'x' };

describe('seededRandom and sampleBeta', () => {
  it('gives the same sequence for the same seed, numbers in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const first = Array.from({ length: 1000 }, () => a());
    expect(first).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(seededRandom(43)()).not.toBe(first[0]);
    // Roughly uniform: the mean of 1,000 draws is near 0.5.
    expect(first.reduce((s, x) => s + x, 0) / first.length).toBeGreaterThan(0.45);
    expect(first.reduce((s, x) => s + x, 0) / first.length).toBeLessThan(0.55);
  });

  it('draws Beta(a, b) with the right mean', () => {
    const random = seededRandom(7);
    const mean = (a: number, b: number): number => {
      let sum = 0;
      for (let i = 0; i < 4000; i += 1) sum += sampleBeta(random, a, b);
      return sum / 4000;
    };
    expect(mean(1, 1)).toBeCloseTo(0.5, 1);
    expect(mean(9, 1)).toBeCloseTo(0.9, 1);
    expect(mean(3, 7)).toBeCloseTo(0.3, 1);
    const draws = Array.from({ length: 500 }, () => sampleBeta(random, 2, 30));
    expect(draws.every((x) => x > 0 && x < 1)).toBe(true);
  });
});

describe('LearnStrategy (Thompson sampling)', () => {
  const candidates = [spec('bad'), spec('good')];

  it('almost always puts a model with a clearly better record first, yet still tries the other now and then', () => {
    const stats = statsWith({ good: { ok: Array(40).fill(100) as number[] }, bad: { ok: Array(24).fill(100) as number[], failures: 16 } });
    const strategy = new LearnStrategy(weights, 1);
    let goodFirst = 0;
    for (let i = 0; i < 1000; i += 1) if (strategy.order(candidates, { taskKind: 'ai', stats, request })[0]?.id === 'good') goodFirst += 1;
    expect(goodFirst).toBeGreaterThan(970);
  });

  it('explores a model it has never seen against one with a middling record', () => {
    const stats = statsWith({ known: { ok: Array(14).fill(100) as number[], failures: 6 } });
    const strategy = new LearnStrategy(weights, 3);
    let newFirst = 0;
    for (let i = 0; i < 1000; i += 1) if (strategy.order([spec('known'), spec('new')], { taskKind: 'ai', stats, request })[0]?.id === 'new') newFirst += 1;
    // The new model's Beta(1, 1) draw beats a 0.7 record about a third of the time: tried, not favoured.
    expect(newFirst).toBeGreaterThan(150);
    expect(newFirst).toBeLessThan(500);
  });

  it('is reproducible from its seed, and puts cost and latency in the score as auto does', () => {
    const stats = statsWith({ cheap: { ok: [100, 100, 100] }, pricey: { ok: [100, 100, 100] } });
    const specs = [spec('pricey', { price: { input: 10, output: 10 } }), spec('cheap', { price: { input: 0, output: 0 } })];
    const orders = (seed: number): string[] => {
      const strategy = new LearnStrategy(weights, seed);
      return Array.from({ length: 20 }, () => strategy.order(specs, { taskKind: 'ai', stats, request }).map((s) => s.id).join(','));
    };
    expect(orders(5)).toEqual(orders(5));
    const [pricey, cheap] = new LearnStrategy(weights, 9).explain(specs, { taskKind: 'ai', stats, request });
    expect(cheap).toMatchObject({ model: 'cheap', cost: 1 });
    expect(pricey).toMatchObject({ model: 'pricey', cost: 0, latency: 0 });
    expect(cheap?.score).toBeCloseTo(0.6 * (cheap?.sample ?? 0) + 0.2 * (cheap?.latency ?? 0) + 0.2, 12);
    // With equal records, the free model wins most draws.
    const strategy = new LearnStrategy(weights, 11);
    let cheapFirst = 0;
    for (let i = 0; i < 500; i += 1) if (strategy.order(specs, { taskKind: 'ai', stats, request })[0]?.id === 'cheap') cheapFirst += 1;
    expect(cheapFirst).toBeGreaterThan(300);
  });

  it('reads the statistics of the request\'s task kind', () => {
    const stats = new InMemoryModelStats({ window: 100 });
    for (let i = 0; i < 30; i += 1) stats.record({ model: 'bad', taskKind: 'plan', success: false, latencyMs: 1, inputTokens: 0, outputTokens: 0, costUsd: 0, at: new Date(0) });
    const strategy = new LearnStrategy(weights, 2);
    let badFirstForPlan = 0;
    let badFirstForAi = 0;
    for (let i = 0; i < 200; i += 1) {
      if (strategy.order(candidates, { taskKind: 'plan', stats, request })[0]?.id === 'bad') badFirstForPlan += 1;
      if (strategy.order(candidates, { taskKind: 'ai', stats, request })[0]?.id === 'bad') badFirstForAi += 1;
    }
    expect(badFirstForPlan).toBeLessThan(20);
    expect(badFirstForAi).toBeGreaterThan(60);
  });
});
