/** The kinds of API a provider speaks. `ollama` is Ollama's OpenAI-compatible endpoint, found automatically on 127.0.0.1:11434. */
export type ProviderType = 'openai' | 'anthropic' | 'gemini' | 'ollama' | 'openai-compatible';

/** A provider as configured (`providers.<name>` in config.yaml), with built-in defaults applied. */
export interface ProviderSpec {
  /** The name users and the key store use, e.g. `openai`, `mylocal`. */
  name: string;
  /** Which protocol it speaks. */
  type: ProviderType;
  /** Where it listens, including the version path (`…/v1`). */
  baseUrl: string;
  /** Whether a key is needed (false for Ollama and keyless local servers). */
  requiresKey: boolean;
  /** Longest a whole request may take, in milliseconds. */
  timeoutMs: number;
  /** Longest a stream may take to produce its first token before it counts as failed, in milliseconds. */
  firstTokenTimeoutMs: number;
  /** Most requests in flight to this provider at once; more wait their turn. */
  maxConcurrency: number;
}

/** Prices in US dollars per million tokens. */
export interface ModelPrice {
  /** Per million input (prompt) tokens. */
  input: number;
  /** Per million output (completion) tokens. */
  output: number;
}

/** What a model can do; selection skips models that lack what a request needs. */
export type ModelCapability = 'text' | 'json' | 'vision' | 'tools';

/** A model as configured (`models:` in config.yaml), addressed by `id` everywhere in LocalAgent. */
export interface ModelSpec {
  /** The name users and plans use, e.g. `fast`. Unique. */
  id: string;
  /** The `ProviderSpec.name` that serves it. */
  provider: string;
  /** The provider's own model name, e.g. `llama3.1:8b`. */
  model: string;
  /** Tokens of context the model accepts (prompt + output), if known. */
  contextWindow?: number;
  /** Prices; a model without prices costs 0 (local models). */
  price: ModelPrice;
  /** What it can do. */
  capabilities: ModelCapability[];
}
