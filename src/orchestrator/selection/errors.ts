import { ProviderUnavailableError, UserInputError, type LocalAgentError } from '../../core/errors/index.js';
import { didYouMean } from '../../core/text/index.js';

/** A model id that no configured model has. */
export function unknownModelError(id: string, known: readonly string[]): UserInputError {
  return new UserInputError({
    code: 'LA_MODEL_UNKNOWN',
    message: `There is no model "${id}".${didYouMean(id, known)}`,
    suggestion: 'See the configured models with `localagent models list`, or add one under `models:` in config.yaml.',
    details: { model: id },
  });
}

/** No candidate can serve the request (or none is configured at all). */
export function noCapableModelError(considered: readonly string[], needs: string): UserInputError {
  if (considered.length === 0) {
    return new UserInputError({
      code: 'LA_NO_CAPABLE_MODEL',
      message: 'No models are configured.',
      suggestion: 'Add a model under `models:` in config.yaml, or start Ollama so LocalAgent can find its models.',
    });
  }
  return new UserInputError({
    code: 'LA_NO_CAPABLE_MODEL',
    message: `None of the models ${considered.join(', ')} can ${needs}.`,
    suggestion:
      "Pick a model that can (`localagent models list` shows each model's capabilities), or add the capability to the model's `capabilities` in config.yaml if it has it.",
    details: { models: [...considered] },
  });
}

/** One candidate's failure, for `allModelsFailedError`. */
export interface ModelFailure {
  model: string;
  error: LocalAgentError;
}

/**
 * Every candidate failed. Transient when at least one failure was (trying again later may work);
 * permanent when all were (no key anywhere, context too long everywhere), so nothing retries in vain.
 */
export function allModelsFailedError(failures: readonly ModelFailure[]): ProviderUnavailableError {
  const list = failures.map((f) => `${f.model} (${f.error.code})`).join(', ');
  const anyTransient = failures.some((f) => f.error.category === 'transient');
  return new ProviderUnavailableError({
    code: 'LA_ALL_MODELS_FAILED',
    category: anyTransient ? 'transient' : 'permanent',
    message: `All ${failures.length} models failed: ${list}.`,
    suggestion:
      'Check the providers with `localagent models health`, store missing keys with `localagent config set-key <provider>`, or add a fallback model.',
    cause: failures.at(-1)?.error,
    details: { failures: failures.map((f) => ({ model: f.model, code: f.error.code })) },
  });
}
