import { describe, expect, it } from 'vitest';
import * as selection from './index.js';
import { catalogOf, FakeModelCaller, spec } from './test-support/FakeModelCaller.js';

describe('the selection face (index.ts)', () => {
  it('exports the orchestrator, the statistics and every strategy', () => {
    expect(selection.STRATEGY_NAMES).toEqual(['explicit', 'fallback', 'fastest', 'cheapest', 'best', 'auto', 'learn']);
    expect(selection.isStrategyName('auto')).toBe(true);
    expect(selection.isStrategyName('toString')).toBe(false);
    const strategies = selection.createStrategies({ autoWeights: { success: 1, latency: 0, cost: 0 } });
    expect(Object.values(strategies).map((s) => s.name)).toEqual(selection.STRATEGY_NAMES);
  });

  it('builds a working orchestrator from its parts', async () => {
    const orchestrator = new selection.Orchestrator({
      caller: new FakeModelCaller(),
      catalog: catalogOf([spec('local')]),
      stats: new selection.InMemoryModelStats({ window: 10 }),
      config: { default_strategy: 'auto', auto_weights: { success: 0.6, latency: 0.2, cost: 0.2 } },
    });
    const outcome = await orchestrator.generate({ prompt: 'hi' });
    expect(outcome).toMatchObject({ strategy: 'auto', result: { model: 'local' } });
  });
});
