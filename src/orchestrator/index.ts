export { createModelService, type ModelService, type ModelServiceOptions, type KeyLookup } from './createModelService.js';
export { ModelRegistry, OLLAMA_MODEL_PREFIX } from './registry/index.js';
export { checkProviderHealth, type HealthReport, type ProviderHealth, type ProviderHealthOptions, type ProviderProbe } from './health/checkProviderHealth.js';
export { ProviderCaller, shouldFailOver } from './calling/index.js';
export {
  Orchestrator,
  InMemoryModelStats,
  STRATEGY_NAMES,
  isStrategyName,
  type OrchestratedRequest,
  type OrchestratedResult,
  type OrchestratedStreamEvent,
  type RaceResult,
  type EnsembleResult,
  type MergeMode,
  type StrategyName,
} from './selection/index.js';
export type * from './types/index.js';
