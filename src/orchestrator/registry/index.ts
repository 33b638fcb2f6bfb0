export { ModelRegistry, OLLAMA_MODEL_PREFIX, type DetectOllamaOptions, type ModelRegistryOptions } from './ModelRegistry.js';
export { BUILTIN_MODELS, BUILTIN_PROVIDERS, defaultCapabilities, OLLAMA_DEFAULT_URL, PROVIDER_DEFAULTS } from './builtins.js';
export { fetchOllamaModels, type FetchOllamaModelsOptions } from './fetchOllamaModels.js';
