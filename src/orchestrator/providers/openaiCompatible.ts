import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import type { ModelFactoryInput } from './ModelFactoryInput.js';

/**
 * A model on any server speaking OpenAI's Chat Completions dialect: OpenRouter, vLLM, LM Studio,
 * llama.cpp, and Ollama's `/v1` endpoint. `includeUsage` asks streams for a final usage chunk
 * (`stream_options.include_usage`), without which streamed calls could not be priced. No
 * `Authorization` header is sent when there is no key.
 */
export function createOpenAICompatibleModel({ provider, model, apiKey, fetch }: ModelFactoryInput): LanguageModelV3 {
  return createOpenAICompatible({
    name: provider.name,
    baseURL: provider.baseUrl,
    ...(apiKey ? { apiKey } : {}),
    includeUsage: true,
    ...(fetch ? { fetch } : {}),
  }).chatModel(model);
}
