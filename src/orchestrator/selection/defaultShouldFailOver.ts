import { LocalAgentError } from '../../core/errors/index.js';

/**
 * Codes worth trying the next model for even though they are not transient: another model may have
 * a longer context, or a provider whose key is present and valid.
 */
const FAIL_OVER_CODES: ReadonlySet<string> = new Set(['LA_CONTEXT_LENGTH', 'LA_PROVIDER_NO_KEY', 'LA_PROVIDER_AUTH', 'LA_CIRCUIT_OPEN']);

/**
 * Codes that must never move to the next model: the caller no longer wants an answer, or the request
 * itself is wrong and would be refused by every provider.
 */
const STOP_CODES: ReadonlySet<string> = new Set(['LA_CANCELLED', 'LA_PROVIDER_BAD_REQUEST']);

/**
 * Whether a failed call should move on to the next candidate model. The calling layer exports the
 * authoritative version; this default follows the same rules so selection works on its own:
 * transient errors (429, 5xx, timeouts, network, first-token timeout, open circuit) and
 * LA_CONTEXT_LENGTH, LA_PROVIDER_NO_KEY, LA_PROVIDER_AUTH fail over; cancellation, bad requests, other
 * user, permanent and system errors (and anything that is not a LocalAgentError: a bug) do not.
 */
export function defaultShouldFailOver(error: unknown): boolean {
  if (!(error instanceof LocalAgentError)) return false;
  if (STOP_CODES.has(error.code)) return false;
  if (FAIL_OVER_CODES.has(error.code)) return true;
  return error.category === 'transient';
}
