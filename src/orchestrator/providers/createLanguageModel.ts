import type { LanguageModelV3 } from '@ai-sdk/provider';
import type { ProviderType } from '../types/index.js';
import { createAnthropicModel } from './anthropic.js';
import { createGeminiModel } from './gemini.js';
import type { ModelFactoryInput } from './ModelFactoryInput.js';
import { createOpenAIModel } from './openai.js';
import { createOpenAICompatibleModel } from './openaiCompatible.js';

const FACTORIES: Readonly<Record<ProviderType, (input: ModelFactoryInput) => LanguageModelV3>> = {
  openai: createOpenAIModel,
  anthropic: createAnthropicModel,
  gemini: createGeminiModel,
  ollama: createOpenAICompatibleModel,
  'openai-compatible': createOpenAICompatibleModel,
};

/** The AI SDK language model for a provider type; one module per type does the work. */
export function createLanguageModel(input: ModelFactoryInput): LanguageModelV3 {
  return FACTORIES[input.provider.type](input);
}

/**
 * Whether the provider honours the AI SDK's schema-less JSON mode (`responseFormat: { type: 'json' }`):
 * OpenAI's and Ollama's `json_object`, Gemini's `responseMimeType`. Anthropic has no such mode (the
 * SDK would only warn), and arbitrary OpenAI-compatible servers may reject the field, so those get
 * the instruction alone.
 */
export function supportsJsonMode(type: ProviderType): boolean {
  return type === 'openai' || type === 'ollama' || type === 'gemini';
}
