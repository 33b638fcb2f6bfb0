import { describe, expect, it } from 'vitest';
import type { ModelStats, StatsSnapshot } from '../types/index.js';
import { BestStrategy } from './BestStrategy.js';
import { expectedSuccess } from './scoring.js';
import { spec } from './test-support/FakeModelCaller.js';
import { statsWith, type History } from './test-support/statsWith.js';

function order(histories: Record<string, History>, ids: string[]): string[] {
  return new BestStrategy()
    .order(
      ids.map((id) => spec(id)),
      { taskKind: 'ai', stats: statsWith(histories), request: {} },
    )
    .map((s) => s.id);
}

describe('BestStrategy', () => {
  it('puts the highest success rate first', () => {
    expect(order({ flaky: { ok: [1, 1], failures: 8 }, solid: { ok: Array(10).fill(1) as number[] } }, ['flaky', 'solid'])).toEqual(['solid', 'flaky']);
  });

  it('does not let one lucky call beat a long good record', () => {
    // lucky: 1/1 → 2/3 ≈ 0.67; proven: 19/20 → 20/22 ≈ 0.91
    expect(order({ lucky: { ok: [1] }, proven: { ok: Array(19).fill(1) as number[], failures: 1 } }, ['lucky', 'proven'])).toEqual(['proven', 'lucky']);
  });

  it('ranks an unobserved model (0.5) between good and bad records', () => {
    expect(order({ good: { ok: [1, 1, 1] }, bad: { failures: 3 } }, ['bad', 'unseen', 'good'])).toEqual(['good', 'unseen', 'bad']);
  });

  it('breaks ties by user rating, then by the given order', () => {
    const snapshot = (model: string, meanRating?: number): StatsSnapshot => ({
      model,
      taskKind: 'ai',
      count: 4,
      successRate: 1,
      latencyP50Ms: 1,
      latencyP95Ms: 1,
      meanCostUsd: 0,
      ...(meanRating !== undefined ? { meanRating } : {}),
    });
    const ratings: Record<string, number | undefined> = { a: 3, b: 5, c: undefined, d: undefined };
    const stats: ModelStats = { record: () => undefined, get: (_task, model) => snapshot(model, ratings[model]) };
    const ordered = new BestStrategy().order([spec('a'), spec('b'), spec('c'), spec('d')], { taskKind: 'ai', stats, request: {} });
    expect(ordered.map((s) => s.id)).toEqual(['b', 'a', 'c', 'd']);
  });

  it('uses the Laplace estimate (successes + 1) / (count + 2)', () => {
    const base = { model: 'm', taskKind: 'ai', latencyP50Ms: undefined, latencyP95Ms: undefined, meanCostUsd: undefined };
    expect(expectedSuccess({ ...base, count: 0, successRate: undefined })).toBe(0.5);
    expect(expectedSuccess({ ...base, count: 8, successRate: 0.75 })).toBe(0.7);
  });
});
