import { LocalAgentError, ProviderUnavailableError, type ErrorCategory } from '../errors/index.js';

/**
 * A circuit breaker refused the call without running it. It is a `ProviderUnavailableError` so
 * callers that already handle "provider down" (fallback models, `models health`) need no new case;
 * the distinct code lets logs and `.last` files tell a fast refusal from a real outage response.
 */
export class CircuitOpenError extends ProviderUnavailableError {
  static override readonly defaultCode: string = 'LA_CIRCUIT_OPEN';
  static override readonly defaultSuggestion: string =
    'LocalAgent stopped calling this provider after repeated failures and will try again shortly; wait, or configure a fallback model.';
}

/**
 * The caller aborted the operation (its AbortSignal fired). Category `user` because it is a
 * decision, not a fault: it must never be retried, never count against a breaker, and never
 * trigger a fallback the caller no longer wants.
 */
export class OperationCancelledError extends LocalAgentError {
  static override readonly defaultCode: string = 'LA_CANCELLED';
  static override readonly defaultCategory: ErrorCategory = 'user';
  static override readonly defaultSuggestion: string = 'The operation was cancelled; run it again if that was not intended.';
}

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
