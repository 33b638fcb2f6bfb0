import { randomInt } from 'node:crypto';
import { AutoStrategy, type AutoWeights } from './AutoStrategy.js';
import { BestStrategy } from './BestStrategy.js';
import { CheapestStrategy } from './CheapestStrategy.js';
import { ExplicitStrategy } from './ExplicitStrategy.js';
import { FallbackStrategy } from './FallbackStrategy.js';
import { DEFAULT_MIN_SAMPLES, FastestStrategy } from './FastestStrategy.js';
import { LearnStrategy } from './LearnStrategy.js';
import type { SelectionStrategy, StrategyName } from './SelectionStrategy.js';

export interface StrategyOptions {
  /** `orchestrator.auto_weights`. */
  autoWeights: AutoWeights;
  /** Calls before `fastest` trusts a model's latency (default 3). */
  minSamples?: number;
  /** Seed of `learn`'s random draws (`orchestrator.learn_seed`); default: a new one each time. */
  seed?: number;
}

/** One instance of every strategy, keyed by name. */
export function createStrategies(options: StrategyOptions): Readonly<Record<StrategyName, SelectionStrategy>> {
  return Object.freeze({
    explicit: new ExplicitStrategy(),
    fallback: new FallbackStrategy(),
    fastest: new FastestStrategy(options.minSamples ?? DEFAULT_MIN_SAMPLES),
    cheapest: new CheapestStrategy(),
    best: new BestStrategy(),
    auto: new AutoStrategy(options.autoWeights),
    learn: new LearnStrategy(options.autoWeights, options.seed ?? randomInt(2 ** 32)),
  });
}
