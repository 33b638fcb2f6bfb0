import { createGoogleGenerativeAI } from '@ai-sdk/google';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import type { ModelFactoryInput } from './ModelFactoryInput.js';

/**
 * A Gemini model over the Generative Language API (`…/v1beta`). The key travels in the
 * `x-goog-api-key` header, never in the URL. Always passed (`''` when keyless) so the SDK never
 * reads `GOOGLE_GENERATIVE_AI_API_KEY` itself.
 */
export function createGeminiModel({ provider, model, apiKey, fetch }: ModelFactoryInput): LanguageModelV3 {
  return createGoogleGenerativeAI({ baseURL: provider.baseUrl, apiKey: apiKey ?? '', ...(fetch ? { fetch } : {}) })(model);
}
