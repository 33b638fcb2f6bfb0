import { AuthenticationError, LocalAgentError } from '../../core/errors/index.js';

/** Codes after which another model may well succeed although this one will not. */
const FAIL_OVER_CODES = new Set([
  // Another model may have a larger context window.
  'LA_CONTEXT_LENGTH',
  // The breaker refuses this provider for now; others are unaffected.
  'LA_CIRCUIT_OPEN',
  // This provider has no key; others may.
  'LA_PROVIDER_NO_KEY',
  // This model or URL does not exist on this provider.
  'LA_PROVIDER_NOT_FOUND',
  // Another model may follow the schema.
  'LA_MODEL_OUTPUT_INVALID',
  // A quota that is used up (permanent 429) is this account's problem only.
  'LA_PROVIDER_RATE_LIMITED',
]);

/** Codes where trying another model would repeat the mistake or override a decision. */
const NEVER_FAIL_OVER = new Set([
  // The caller no longer wants an answer.
  'LA_CANCELLED',
  // The request itself is wrong (bad parameters); another model would most likely refuse it too.
  'LA_PROVIDER_BAD_REQUEST',
  'LA_SCHEMA_INVALID',
  'LA_INPUT_INVALID',
]);

/**
 * Whether a failed call should be tried on another model (by the selection strategies). True for
 * transient failures (timeouts, rate limits, outages, network), an open circuit, context overflow,
 * a missing or refused key of that provider, an unknown model on that provider, and output that
 * stayed invalid; also for a per-call or per-request budget refusal, since a cheaper model may fit.
 * False for cancellation, bad requests, invalid schemas and a spent run budget (every model would
 * be refused), and for anything that is not a `LocalAgentError` (a bug, not the model's fault).
 */
export function shouldFailOver(error: unknown): boolean {
  if (!(error instanceof LocalAgentError)) return false;
  if (NEVER_FAIL_OVER.has(error.code)) return false;
  if (error.code === 'LA_BUDGET_EXCEEDED') return error.details['scope'] !== 'run';
  if (FAIL_OVER_CODES.has(error.code) || error instanceof AuthenticationError) return true;
  return error.category === 'transient';
}
