import type { CallRequest } from './CallRequest.js';
import type { CallResult } from './CallResult.js';
import type { StreamEvent } from './StreamEvent.js';

/**
 * Calls one configured model, with that provider's retries, circuit breaker, concurrency limit,
 * timeouts and budget checks applied. Selection strategies are built on top of it.
 */
export interface ModelCaller {
  /** The whole answer at once. */
  generate(modelId: string, request: CallRequest): Promise<CallResult>;
  /**
   * The answer as it is produced. A stream that fails before its first text event fails over like
   * a failed `generate`; once text has been yielded, a failure ends the stream with the error.
   */
  stream(modelId: string, request: CallRequest): AsyncIterable<StreamEvent>;
}
