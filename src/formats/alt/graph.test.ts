import { describe, expect, it } from 'vitest';
import { PlanError } from '../../core/errors/index.js';
import { cycleThrough, cyclicComponents, planDepth, planOrder, topologicalOrder } from './graph.js';
import type { AltPlan, AltTask } from './schema.js';

function planOf(tasks: Partial<AltTask>[]): AltPlan {
  return {
    alt: 1,
    title: 't',
    mode: 'normal',
    tasks: tasks.map((t) => ({ kind: 'approval', message: 'm', ...t }) as AltTask),
  };
}

describe('planOrder', () => {
  it('puts every task after what it needs, in file order otherwise', () => {
    const plan = planOf([{ id: 'c', needs: ['a', 'b'] }, { id: 'a' }, { id: 'b', needs: ['a'] }, { id: 'd' }]);
    expect(planOrder(plan)).toEqual(['a', 'b', 'c', 'd']);
    expect(planDepth(plan)).toBe(3);
  });

  it('prefers higher priority among ready tasks, and is stable', () => {
    const plan = planOf([{ id: 'low', priority: -5 }, { id: 'plain' }, { id: 'high', priority: 10 }, { id: 'after', needs: ['low'], priority: 100 }, { id: 'plain2' }]);
    expect(planOrder(plan)).toEqual(['high', 'plain', 'plain2', 'low', 'after']);
    expect(planOrder(plan)).toEqual(planOrder(structuredClone(plan)));
  });

  it('ignores a need listed twice', () => {
    expect(planOrder(planOf([{ id: 'a' }, { id: 'b', needs: ['a', 'a'] }]))).toEqual(['a', 'b']);
  });

  it('refuses plans built in code that are not DAGs', () => {
    expect(() => planOrder(planOf([{ id: 'a', needs: ['b'] }, { id: 'b', needs: ['a'] }]))).toThrow(/cycle: a → b → a/);
    expect(() => planOrder(planOf([{ id: 'a', needs: ['x'] }]))).toThrow(PlanError);
    expect(() => planDepth(planOf([{ id: 'a', needs: ['a'] }]))).toThrow(/needs itself/);
  });
});

describe('graph algorithms', () => {
  it('finds strongly connected components with more than one task', () => {
    // 0 ⇄ 1, 2 → 3 → 4 → 2, 5 alone, 6 → 0
    const graph = [[1], [0], [3], [4], [2], [], [0]];
    expect(cyclicComponents(graph)).toEqual([
      [0, 1],
      [2, 3, 4],
    ]);
    expect(cycleThrough(graph, [2, 3, 4])).toEqual([2, 3, 4]);
    expect(cyclicComponents([[], [0]])).toEqual([]);
  });

  it('orders a DAG and says when there is none', () => {
    expect(topologicalOrder([[], [0], [0, 1]], [0, 0, 0])).toEqual({ order: [0, 1, 2], depth: 3 });
    expect(topologicalOrder([[1], [0]], [0, 0])).toBeUndefined();
  });
});
