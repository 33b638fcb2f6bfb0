import { providerInvalid } from './errors.js';

/**
 * Which API conventions a provider's key follows: decides the format check and the live check.
 * The config's provider `type` values are all kinds; `openrouter` is a kind of its own because its
 * keys have their own prefix and its key check needs its own endpoint.
 */
export type ProviderKind = 'openai' | 'anthropic' | 'gemini' | 'openrouter' | 'ollama' | 'openai-compatible';

export const PROVIDER_KINDS: readonly ProviderKind[] = ['openai', 'anthropic', 'gemini', 'openrouter', 'ollama', 'openai-compatible'];

/** Same rule as the config's `providerNameSchema`: names become keyring accounts and env var names. */
export const PROVIDER_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** What LocalAgent's own data keys are for (`security.encrypt_results` uses `results`). */
export type DataKeyPurpose = 'results';

/**
 * The name a data key is filed under: `data-key:<purpose>`. The colon is not allowed in provider
 * names, so no provider's API key can ever be mistaken for it or overwrite it.
 */
export function dataKeyName(purpose: DataKeyPurpose): string {
  return `data-key:${purpose}`;
}

const DATA_KEY_NAME_PATTERN = /^data-key:[a-z][a-z0-9-]{0,31}$/;

/** Whether a stored name is one of LocalAgent's data keys rather than a provider. */
export function isDataKeyName(name: string): boolean {
  return DATA_KEY_NAME_PATTERN.test(name);
}

/** Names the keyring index and the vault may hold: providers' API keys and LocalAgent's data keys. */
export const STORED_NAME_PATTERN = /^(?:[a-z0-9][a-z0-9_-]{0,62}|data-key:[a-z][a-z0-9-]{0,31})$/;

/** The environment variables other tools already use for these providers; honoured as overrides. */
const WELL_KNOWN_ENV: Readonly<Record<string, readonly string[]>> = {
  openai: ['OPENAI_API_KEY'],
  anthropic: ['ANTHROPIC_API_KEY'],
  gemini: ['GEMINI_API_KEY', 'GOOGLE_GENERATIVE_AI_API_KEY'],
  openrouter: ['OPENROUTER_API_KEY'],
};

const KIND_BY_NAME: Readonly<Record<string, ProviderKind>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  gemini: 'gemini',
  google: 'gemini',
  openrouter: 'openrouter',
  ollama: 'ollama',
};

const LOCALAGENT_ENV_PATTERN = /^LOCALAGENT_([A-Z0-9_]+)_API_KEY$/;

/** The provider name as keys are filed under (lower case); refuses names that could not be a provider. */
export function normaliseProvider(name: string): string {
  const lower = typeof name === 'string' ? name.trim().toLowerCase() : '';
  if (!PROVIDER_NAME_PATTERN.test(lower)) throw providerInvalid();
  return lower;
}

/** `LOCALAGENT_<NAME>_API_KEY`: the name upper-cased, every other character than A–Z and 0–9 turned into `_`. */
export function localAgentEnvVar(provider: string): string {
  return `LOCALAGENT_${provider.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_KEY`;
}

/**
 * The variables that override a provider's stored key, in the order they are consulted:
 * LocalAgent's own first (it is the more deliberate setting), then the well-known ones.
 */
export function envVarsFor(provider: string): string[] {
  return [localAgentEnvVar(provider), ...(WELL_KNOWN_ENV[provider] ?? [])];
}

/** The kind a provider name implies; unknown names are treated as OpenAI-compatible gateways. */
export function kindOf(provider: string): ProviderKind {
  return KIND_BY_NAME[provider] ?? 'openai-compatible';
}

/**
 * Which provider an environment variable sets a key for, if any. `LOCALAGENT_MY_LLM_API_KEY` maps
 * to a known name when one of `candidates` produces it, else to `my_llm`.
 */
export function providerForEnvVar(variable: string, candidates: readonly string[] = []): string | undefined {
  for (const [provider, names] of Object.entries(WELL_KNOWN_ENV)) {
    if (names.includes(variable)) return provider;
  }
  const match = LOCALAGENT_ENV_PATTERN.exec(variable);
  if (!match) return undefined;
  const known = candidates.find((candidate) => localAgentEnvVar(candidate) === variable);
  if (known) return known;
  const derived = (match[1] as string).toLowerCase();
  return PROVIDER_NAME_PATTERN.test(derived) ? derived : undefined;
}
