import { UserInputError } from '../../core/errors/index.js';
import type { ModelSpec } from '../types/index.js';
import type { SelectionStrategy } from './SelectionStrategy.js';

/** Exactly the one model named: no ordering, no fail-over to anything else. */
export class ExplicitStrategy implements SelectionStrategy {
  readonly name = 'explicit' as const;

  order(candidates: readonly ModelSpec[]): ModelSpec[] {
    if (candidates.length !== 1) {
      throw new UserInputError({
        message: `The explicit strategy takes exactly one model, not ${candidates.length}.`,
        suggestion: 'Name one model with `model`, or pick another strategy (e.g. `fallback`) for a list.',
      });
    }
    return [...candidates];
  }
}
