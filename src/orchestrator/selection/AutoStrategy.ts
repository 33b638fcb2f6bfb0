import type { OrchestratorConfig } from '../../core/config/index.js';
import type { ModelSpec } from '../types/index.js';
import { expectedSuccess, speedAndPriceTerms } from './scoring.js';
import type { SelectionContext, SelectionStrategy } from './SelectionStrategy.js';

export type AutoWeights = OrchestratorConfig['auto_weights'];

/** One candidate's terms and score, for `explain` and tests. */
export interface AutoScore {
  model: string;
  /** Expected success rate, (successes + 1) / (count + 2). */
  success: number;
  /** 1 − p50 / (largest p50 among candidates); the mean of the measured ones when unmeasured. */
  latency: number;
  /** 1 − price / (largest price among candidates); 1 when every candidate is free. */
  cost: number;
  score: number;
}

/**
 * Highest weighted score first: score = w_success·S + w_latency·L + w_cost·C, every term in 0..1 and
 * higher = better (see `AutoScore`). L and C are scaled by the largest value among the candidates
 * rather than min–max, so two models 5 % apart stay 5 % apart instead of becoming 0 and 1. Weights
 * are relative (only their ratios matter). Equal scores keep the given order.
 */
export class AutoStrategy implements SelectionStrategy {
  readonly name = 'auto' as const;

  constructor(private readonly weights: AutoWeights) {}

  order(candidates: readonly ModelSpec[], context: SelectionContext): ModelSpec[] {
    const scores = this.explain(candidates, context);
    const ranked = candidates.map((spec, index) => ({ spec, score: (scores[index] as AutoScore).score }));
    ranked.sort((a, b) => b.score - a.score);
    return ranked.map((r) => r.spec);
  }

  /** The terms behind the order, in the candidates' given order. */
  explain(candidates: readonly ModelSpec[], { taskKind, stats }: SelectionContext): AutoScore[] {
    const snapshots = candidates.map((spec) => stats.get(taskKind, spec.id));
    const terms = speedAndPriceTerms(candidates, snapshots);
    return candidates.map((spec, i) => {
      const success = expectedSuccess(snapshots[i] as (typeof snapshots)[number]);
      const { latency, cost } = terms[i] as (typeof terms)[number];
      const score = this.weights.success * success + this.weights.latency * latency + this.weights.cost * cost;
      return { model: spec.id, success, latency, cost, score };
    });
  }
}
