export { Orchestrator, DEFAULT_TASK_KIND, type OrchestratorOptions } from './Orchestrator.js';
export type {
  OrchestratedRequest,
  OrchestratedResult,
  OrchestratedStreamEvent,
  TriedModel,
  Selection,
  RaceMember,
  RaceResult,
  MergeMode,
  EnsembleOptions,
  EnsembleMember,
  EnsembleResult,
  JudgeReport,
} from './results.js';
export type { ModelCatalog } from './ModelCatalog.js';
export { STRATEGY_NAMES, isStrategyName, type SelectionStrategy, type SelectionContext, type StrategyName } from './SelectionStrategy.js';
export { createStrategies, type StrategyOptions } from './createStrategies.js';
export { ExplicitStrategy } from './ExplicitStrategy.js';
export { FallbackStrategy } from './FallbackStrategy.js';
export { FastestStrategy, DEFAULT_MIN_SAMPLES } from './FastestStrategy.js';
export { CheapestStrategy } from './CheapestStrategy.js';
export { BestStrategy } from './BestStrategy.js';
export { AutoStrategy, type AutoScore, type AutoWeights } from './AutoStrategy.js';
export { LearnStrategy, type LearnScore } from './LearnStrategy.js';
export { sampleBeta } from './sampleBeta.js';
export { blendedPrice, expectedSuccess, speedAndPriceTerms, INPUT_TOKENS_PER_OUTPUT_TOKEN } from './scoring.js';
export { capabilityNeed, filterCapable, type CapabilityNeed } from './capabilities.js';
export { defaultShouldFailOver } from './defaultShouldFailOver.js';
export { InMemoryModelStats, type InMemoryModelStatsOptions } from './InMemoryModelStats.js';
export { majorityVote, normaliseAnswer, type VoteOutcome, type VoteTally } from './vote.js';
export { judgeRequest, parseJudgeReply, JUDGE_TASK_KIND, JUDGE_MAX_CHARS } from './judge.js';
