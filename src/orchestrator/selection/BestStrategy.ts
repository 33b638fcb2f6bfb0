import type { ModelSpec } from '../types/index.js';
import { expectedSuccess } from './scoring.js';
import type { SelectionContext, SelectionStrategy } from './SelectionStrategy.js';

/**
 * Highest expected success rate for this task kind first: (successes + 1) / (count + 2), so an
 * unobserved model counts as 0.5 and one lucky call as 0.67. Equal scores go to the higher mean user
 * rating when both have one, then keep the given order.
 */
export class BestStrategy implements SelectionStrategy {
  readonly name = 'best' as const;

  order(candidates: readonly ModelSpec[], { taskKind, stats }: SelectionContext): ModelSpec[] {
    const ranked = candidates.map((spec) => {
      const snapshot = stats.get(taskKind, spec.id);
      return { spec, score: expectedSuccess(snapshot), rating: snapshot.meanRating };
    });
    ranked.sort((a, b) => b.score - a.score || (a.rating !== undefined && b.rating !== undefined ? b.rating - a.rating : 0));
    return ranked.map((r) => r.spec);
  }
}
