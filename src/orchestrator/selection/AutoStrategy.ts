import type { OrchestratorConfig } from '../../core/config/index.js';
import type { ModelSpec } from '../types/index.js';
import { blendedPrice, expectedSuccess } from './scoring.js';
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
    const raw = candidates.map((spec) => {
      const snapshot = stats.get(taskKind, spec.id);
      return { model: spec.id, success: expectedSuccess(snapshot), p50: snapshot.latencyP50Ms, price: blendedPrice(spec.price) };
    });
    const measured = raw.flatMap((r) => (r.p50 === undefined ? [] : [r.p50]));
    const maxP50 = Math.max(0, ...measured);
    const maxPrice = Math.max(0, ...raw.map((r) => r.price));
    const latencyOf = (p50: number): number => (maxP50 > 0 ? 1 - p50 / maxP50 : 1);
    // An unmeasured model is neither rewarded nor punished on speed: it gets the measured mean.
    const neutralLatency = measured.length > 0 ? measured.reduce((sum, p50) => sum + latencyOf(p50), 0) / measured.length : 0;
    return raw.map((r) => {
      const latency = r.p50 === undefined ? neutralLatency : latencyOf(r.p50);
      const cost = maxPrice > 0 ? 1 - r.price / maxPrice : 1;
      const score = this.weights.success * r.success + this.weights.latency * latency + this.weights.cost * cost;
      return { model: r.model, success: r.success, latency, cost, score };
    });
  }
}
