import type { ModelSpec } from '../types/index.js';
import type { AutoWeights } from './AutoStrategy.js';
import { speedAndPriceTerms } from './scoring.js';
import { seededRandom } from '../../core/random/index.js';
import { sampleBeta } from './sampleBeta.js';
import type { SelectionContext, SelectionStrategy } from './SelectionStrategy.js';

/** One candidate's draw and score, for `explain` and tests. */
export interface LearnScore {
  model: string;
  /** The success rate drawn from the model's posterior, Beta(successes + 1, failures + 1). */
  sample: number;
  /** As in `auto`: 1 − p50 / (largest p50 among candidates); the mean of the measured ones when unmeasured. */
  latency: number;
  /** As in `auto`: 1 − price / (largest price among candidates); 1 when every candidate is free. */
  cost: number;
  score: number;
}

/**
 * Thompson sampling: for each candidate, a success rate is drawn from the Beta posterior of its
 * observed successes and failures in the statistics window, and the candidates are ordered by
 * score = w_success · draw + w_latency · L + w_cost · C (the `auto` weights and terms). A model
 * with few observations has a wide posterior, so it is drawn high now and then and gets tried (a
 * new model is explored without a separate rule); one that keeps failing is drawn low almost
 * always and stops being chosen first. Draws come from a seeded generator: the same seed and the
 * same sequence of calls and statistics give the same orders (unlike the other strategies, two
 * calls with the same statistics may differ — that is the exploration).
 */
export class LearnStrategy implements SelectionStrategy {
  readonly name = 'learn' as const;
  private readonly random: () => number;

  constructor(
    private readonly weights: AutoWeights,
    seed: number,
  ) {
    this.random = seededRandom(seed);
  }

  order(candidates: readonly ModelSpec[], context: SelectionContext): ModelSpec[] {
    const scores = this.explain(candidates, context);
    const ranked = candidates.map((spec, index) => ({ spec, score: (scores[index] as LearnScore).score }));
    ranked.sort((a, b) => b.score - a.score);
    return ranked.map((r) => r.spec);
  }

  /** Draws once per candidate and returns the terms, in the candidates' given order. Each call draws anew. */
  explain(candidates: readonly ModelSpec[], { taskKind, stats }: SelectionContext): LearnScore[] {
    const snapshots = candidates.map((spec) => stats.get(taskKind, spec.id));
    const terms = speedAndPriceTerms(candidates, snapshots);
    return candidates.map((spec, i) => {
      const snapshot = snapshots[i] as (typeof snapshots)[number];
      const successes = Math.round((snapshot.successRate ?? 0) * snapshot.count);
      const sample = sampleBeta(this.random, successes + 1, snapshot.count - successes + 1);
      const { latency, cost } = terms[i] as (typeof terms)[number];
      const score = this.weights.success * sample + this.weights.latency * latency + this.weights.cost * cost;
      return { model: spec.id, sample, latency, cost, score };
    });
  }
}
