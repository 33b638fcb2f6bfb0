import type { ProviderSpec } from '../types/index.js';

/** What every provider module needs to make an AI SDK language model. */
export interface ModelFactoryInput {
  /** The provider as resolved by the registry (type, base URL…). */
  provider: ProviderSpec;
  /** The provider's own model name, e.g. `gpt-4o-mini` or `llama3.1:8b`. */
  model: string;
  /** The key string, or `undefined` for a keyless provider. Never logged. */
  apiKey: string | undefined;
  /** Replaces `globalThis.fetch` (tests, proxies). */
  fetch?: typeof globalThis.fetch | undefined;
}
