import { createAnthropic } from '@ai-sdk/anthropic';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import type { ModelFactoryInput } from './ModelFactoryInput.js';

/**
 * An Anthropic Messages API model. `apiKey` is always passed (`''` when keyless) so the SDK never
 * reads `ANTHROPIC_API_KEY` itself; `baseURL` always, so it never reads `ANTHROPIC_BASE_URL`.
 */
export function createAnthropicModel({ provider, model, apiKey, fetch }: ModelFactoryInput): LanguageModelV3 {
  return createAnthropic({ baseURL: provider.baseUrl, apiKey: apiKey ?? '', ...(fetch ? { fetch } : {}) })(model);
}
