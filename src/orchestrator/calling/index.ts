export { ProviderCaller, type ProviderCallerOptions } from './ProviderCaller.js';
export { shouldFailOver } from './shouldFailOver.js';
export { toProviderError, type MapErrorContext } from './mapProviderError.js';
export { parseRetryAfterMs } from './retryAfter.js';
export { ConcurrencyLimiter, type Release } from './ConcurrencyLimiter.js';
export { costOf, estimateTokens, worstCaseCost, RunBudget, DEFAULT_WORST_CASE_OUTPUT_TOKENS, type RunBudgetOptions } from './CostBudget.js';
export { SchemaValidator, checkJsonAnswer, jsonInstruction, repairInstruction, type JsonCheck } from './structuredOutput.js';
export { budgetExceeded, firstTokenTimeout, outputInvalid, requestTimeout, schemaInvalid, type BudgetScope, type CallTarget } from './errors.js';
export { MODEL_CALLS_TOTAL, MODEL_CALL_SECONDS, TOKENS_TOTAL, COST_USD_TOTAL } from './metricNames.js';
