import type { ModelSpec } from '../types/index.js';
import type { SelectionStrategy } from './SelectionStrategy.js';

/** The models in the order given: the first, then the next whenever a failure allows fail-over. */
export class FallbackStrategy implements SelectionStrategy {
  readonly name = 'fallback' as const;

  order(candidates: readonly ModelSpec[]): ModelSpec[] {
    return [...candidates];
  }
}
