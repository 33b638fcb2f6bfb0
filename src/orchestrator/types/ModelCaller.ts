import type { CallRequest } from './CallRequest.js';
import type { CallResult } from './CallResult.js';
import type { StreamEvent } from './StreamEvent.js';

/** Where a call stands in the orchestrator's plan for a request; traces show it on the call's span. */
export interface CallAttempt {
  /** The strategy that chose the model (`fallback`, `race`, `ensemble`, …). */
  strategy: string;
  /** 1 for the first model the strategy tried, 2 for the next (a fallback), …; race and ensemble members by their place in the list. */
  attempt: number;
}

/**
 * Calls one configured model, with that provider's retries, circuit breaker, concurrency limit,
 * timeouts and budget checks applied. Selection strategies are built on top of it.
 */
export interface ModelCaller {
  /** The whole answer at once. */
  generate(modelId: string, request: CallRequest, attempt?: CallAttempt): Promise<CallResult>;
  /**
   * The answer as it is produced. A stream that fails before its first text event fails over like
   * a failed `generate`; once text has been yielded, a failure ends the stream with the error.
   */
  stream(modelId: string, request: CallRequest, attempt?: CallAttempt): AsyncIterable<StreamEvent>;
}
