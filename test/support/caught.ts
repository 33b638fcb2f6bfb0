import { LocalAgentError } from '../../src/core/errors/index.js';

/** The LocalAgentError `promise` rejects with; fails the test if it resolves or rejects with anything else. */
export async function caught(promise: Promise<unknown>): Promise<LocalAgentError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LocalAgentError) return error;
    throw error;
  }
  throw new Error('expected a LocalAgentError');
}
