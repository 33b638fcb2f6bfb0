export { createLanguageModel, supportsJsonMode } from './createLanguageModel.js';
export { createOpenAIModel } from './openai.js';
export { createAnthropicModel } from './anthropic.js';
export { createGeminiModel } from './gemini.js';
export { createOpenAICompatibleModel } from './openaiCompatible.js';
export type { ModelFactoryInput } from './ModelFactoryInput.js';
export { keySourceFromStore, type GetKey, type KeyStoreLike } from './KeySource.js';
export { missingKeyError, providerKeyEnvVar, resolveApiKey, type ResolveApiKeyOptions } from './resolveApiKey.js';
export { logAiSdkWarnings, routeAiSdkWarnings } from './routeAiSdkWarnings.js';
