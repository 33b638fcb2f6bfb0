import type { OrchestratorConfig } from '../../core/config/index.js';
import type { CallRequest, ModelSpec, ModelStats } from '../types/index.js';

/** The strategies `orchestrator.default_strategy` and a request's `strategy` may name. */
export type StrategyName = OrchestratorConfig['default_strategy'];

// A record rather than an array so the compiler fails here when the config enum gains or loses a name.
const NAMES: Record<StrategyName, true> = { explicit: true, fallback: true, fastest: true, cheapest: true, best: true, auto: true, learn: true };

/** Every strategy name, in the order the docs list them. */
export const STRATEGY_NAMES: readonly StrategyName[] = Object.freeze(Object.keys(NAMES) as StrategyName[]);

/** True when `name` is a strategy (for names that arrive as strings from the CLI or HTTP). */
export function isStrategyName(name: string): name is StrategyName {
  return Object.hasOwn(NAMES, name);
}

/** What a strategy may look at besides the candidates. */
export interface SelectionContext {
  /** The task kind whose statistics count (`ai` when the request names none). */
  taskKind: string;
  /** Observed statistics per (task kind, model). */
  stats: ModelStats;
  /** The request being placed. */
  request: CallRequest;
}

/**
 * Puts candidate models in the order to try them. The orchestrator calls the first and moves to the
 * next only when the failure allows a fail-over, so every strategy is "an ordered fallback list".
 */
export interface SelectionStrategy {
  readonly name: StrategyName;
  /**
   * The candidates in trial order. Candidates have already passed the capability filter; a
   * strategy reorders them and never adds one. Must be deterministic for the same inputs and
   * statistics, and keep the given order among candidates it cannot tell apart.
   */
  order(candidates: readonly ModelSpec[], context: SelectionContext): ModelSpec[];
}
