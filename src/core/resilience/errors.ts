import { LocalAgentError, OperationCancelledError } from '../errors/index.js';

/**
 * The error to surface for an aborted signal. A `LocalAgentError` given as the abort reason is kept,
 * so a runner that aborts with a `TimeoutError` (task timeout) gets that error back, not a generic
 * cancellation.
 */
export function cancellationError(signal: AbortSignal): LocalAgentError {
  const reason: unknown = signal.reason;
  if (reason instanceof LocalAgentError) return reason;
  return new OperationCancelledError({ message: 'The operation was cancelled.', cause: reason });
}
