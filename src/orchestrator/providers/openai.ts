import { createOpenAI } from '@ai-sdk/openai';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import type { ModelFactoryInput } from './ModelFactoryInput.js';

/**
 * An OpenAI model over the Chat Completions API. `@ai-sdk/openai` v3's default (`openai(model)`)
 * is the newer Responses API; `.chat()` is used instead because Chat Completions is what proxies,
 * Azure-style gateways and self-hosted "OpenAI" servers (a common `base_url` override) implement.
 * The key is always passed (`''` when keyless) so the SDK never falls back to `OPENAI_API_KEY` on its
 * own — keys come only through the key store, which already honours that variable.
 */
export function createOpenAIModel({ provider, model, apiKey, fetch }: ModelFactoryInput): LanguageModelV3 {
  return createOpenAI({ name: provider.name, baseURL: provider.baseUrl, apiKey: apiKey ?? '', ...(fetch ? { fetch } : {}) }).chat(model);
}
