import type { ModelSpec } from '../types/index.js';
import { blendedPrice } from './scoring.js';
import type { SelectionStrategy } from './SelectionStrategy.js';

/** Lowest configured price first (3:1 input:output blend); equal prices keep the given order. */
export class CheapestStrategy implements SelectionStrategy {
  readonly name = 'cheapest' as const;

  order(candidates: readonly ModelSpec[]): ModelSpec[] {
    // Array.prototype.sort is stable (ES2019), which is what keeps ties in the given order.
    return [...candidates].sort((a, b) => blendedPrice(a.price) - blendedPrice(b.price));
  }
}
