import type { ModelCapability, ModelSpec, ProviderType } from '../types/index.js';

/** Defaults for every provider setting config leaves out. */
export const PROVIDER_DEFAULTS = {
  /** A whole request; long answers from slow models fit, a dead connection does not hang a run. */
  timeoutMs: 60_000,
  /** Time to first token of a stream; beyond this the stream counts as failed and callers fail over. */
  firstTokenTimeoutMs: 15_000,
  /** Requests in flight per provider; more wait their turn. */
  maxConcurrency: 8,
} as const;

/** Where Ollama listens by default (its OpenAI-compatible API is under `/v1`). */
export const OLLAMA_DEFAULT_URL = 'http://127.0.0.1:11434';

/** The providers LocalAgent knows without any config. A `providers.<name>` entry overrides any field. */
export const BUILTIN_PROVIDERS: Readonly<Record<string, { type: ProviderType; baseUrl: string; requiresKey: boolean }>> = {
  openai: { type: 'openai', baseUrl: 'https://api.openai.com/v1', requiresKey: true },
  anthropic: { type: 'anthropic', baseUrl: 'https://api.anthropic.com/v1', requiresKey: true },
  gemini: { type: 'gemini', baseUrl: 'https://generativelanguage.googleapis.com/v1beta', requiresKey: true },
  openrouter: { type: 'openai-compatible', baseUrl: 'https://openrouter.ai/api/v1', requiresKey: true },
  ollama: { type: 'ollama', baseUrl: `${OLLAMA_DEFAULT_URL}/v1`, requiresKey: false },
};

/**
 * The base URL a provider of a given type gets when config names none and it is not one of the
 * built-in names (e.g. a second OpenAI account `providers.work: { type: openai }`).
 * `openai-compatible` has no such default: it could be anything, so config must say where.
 */
export const DEFAULT_BASE_URL_BY_TYPE: Readonly<Partial<Record<ProviderType, string>>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com/v1',
  gemini: 'https://generativelanguage.googleapis.com/v1beta',
  ollama: `${OLLAMA_DEFAULT_URL}/v1`,
};

/**
 * What a model can do when config does not say: text, plus `json` where LocalAgent uses the
 * provider's native JSON mode (OpenAI, Gemini, Ollama). Other models still answer schema requests
 * (instructed, validated, repaired once); selection just prefers native JSON.
 */
export function defaultCapabilities(type: ProviderType): ModelCapability[] {
  return type === 'openai' || type === 'gemini' || type === 'ollama' ? ['text', 'json'] : ['text'];
}

const ALL: ModelCapability[] = ['text', 'json', 'vision', 'tools'];
/** Anthropic models: LocalAgent asks them for JSON by instruction only (no JSON mode), so no `json`. */
const ANTHROPIC: ModelCapability[] = ['text', 'vision', 'tools'];

/**
 * A few well-known models, usable as soon as their provider has a key.
 *
 * PRICES ARE LIST PRICES (USD per million tokens, standard tier, short prompts) AT THE TIME OF
 * WRITING and go stale: providers change them. Override them by configuring a model with the same
 * `id` (a configured model always replaces a built-in one), or configure your own ids.
 */
export const BUILTIN_MODELS: readonly ModelSpec[] = [
  { id: 'openai/gpt-4o-mini', provider: 'openai', model: 'gpt-4o-mini', contextWindow: 128_000, price: { input: 0.15, output: 0.6 }, capabilities: ALL },
  { id: 'openai/gpt-4o', provider: 'openai', model: 'gpt-4o', contextWindow: 128_000, price: { input: 2.5, output: 10 }, capabilities: ALL },
  { id: 'openai/gpt-4.1-mini', provider: 'openai', model: 'gpt-4.1-mini', contextWindow: 1_047_576, price: { input: 0.4, output: 1.6 }, capabilities: ALL },
  {
    id: 'anthropic/claude-haiku-4-5',
    provider: 'anthropic',
    model: 'claude-haiku-4-5',
    contextWindow: 200_000,
    price: { input: 1, output: 5 },
    capabilities: ANTHROPIC,
  },
  {
    id: 'anthropic/claude-sonnet-4-5',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    contextWindow: 200_000,
    price: { input: 3, output: 15 },
    capabilities: ANTHROPIC,
  },
  {
    id: 'gemini/gemini-2.5-flash',
    provider: 'gemini',
    model: 'gemini-2.5-flash',
    contextWindow: 1_048_576,
    price: { input: 0.3, output: 2.5 },
    capabilities: ALL,
  },
  {
    id: 'gemini/gemini-2.5-pro',
    provider: 'gemini',
    model: 'gemini-2.5-pro',
    contextWindow: 1_048_576,
    price: { input: 1.25, output: 10 },
    capabilities: ALL,
  },
];
