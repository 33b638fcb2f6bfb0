import type { ModelSpec } from '../types/index.js';
import type { SelectionContext, SelectionStrategy } from './SelectionStrategy.js';

/** Calls a model needs in the window before its latency is trusted. */
export const DEFAULT_MIN_SAMPLES = 3;

/**
 * Lowest observed median latency (p50 of successful calls) first. Three groups, in this order:
 *
 * 1. unknown: fewer than `minSamples` calls for this task kind. Tried first, in the given order, so a
 *    new model gets measured at all (otherwise a fast newcomer would never be called while the
 *    known ones keep succeeding). Exploration is bounded: `minSamples` calls per model and task kind.
 * 2. measured: by p50 ascending; equal p50 keeps the given order.
 * 3. known but never successful (no latency to rank): last.
 */
export class FastestStrategy implements SelectionStrategy {
  readonly name = 'fastest' as const;

  constructor(private readonly minSamples: number = DEFAULT_MIN_SAMPLES) {}

  order(candidates: readonly ModelSpec[], { taskKind, stats }: SelectionContext): ModelSpec[] {
    const ranked = candidates.map((spec) => {
      const snapshot = stats.get(taskKind, spec.id);
      const p50 = snapshot.latencyP50Ms;
      const group = snapshot.count < this.minSamples ? 0 : p50 !== undefined ? 1 : 2;
      return { spec, group, p50: p50 ?? 0 };
    });
    ranked.sort((a, b) => a.group - b.group || (a.group === 1 ? a.p50 - b.p50 : 0));
    return ranked.map((r) => r.spec);
  }
}
