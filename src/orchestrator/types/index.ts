export type { ProviderType, ProviderSpec, ModelSpec, ModelPrice, ModelCapability } from './ModelSpec.js';
export type { CallRequest, ChatMessage } from './CallRequest.js';
export type { CallResult, Usage } from './CallResult.js';
export type { StreamEvent } from './StreamEvent.js';
export type { ModelCaller, CallAttempt } from './ModelCaller.js';
export type { ModelStats, CallObservation, StatsSnapshot } from './ModelStats.js';
