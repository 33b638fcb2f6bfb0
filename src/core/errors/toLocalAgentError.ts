import { LocalAgentError } from './LocalAgentError.js';
import { InternalError } from './classes.js';

/**
 * Whatever was thrown, returns a `LocalAgentError`: ours as they are, anything else wrapped as an
 * `InternalError` whose message keeps the original text (secrets are removed later, on output).
 */
export function toLocalAgentError(thrown: unknown): LocalAgentError {
  if (thrown instanceof LocalAgentError) return thrown;
  if (thrown instanceof Error) {
    return new InternalError({ message: `Unexpected error: ${thrown.message}`, cause: thrown });
  }
  return new InternalError({ message: `Unexpected error: ${String(thrown)}`, cause: thrown });
}

/** True when retrying the same call could succeed. Non-LocalAgent errors are not retried. */
export function isTransient(thrown: unknown): boolean {
  return thrown instanceof LocalAgentError && thrown.category === 'transient';
}
