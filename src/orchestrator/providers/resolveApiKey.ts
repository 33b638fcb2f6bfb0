import { AuthenticationError } from '../../core/errors/index.js';
import type { ProviderSpec } from '../types/index.js';
import type { GetKey } from './KeySource.js';

export interface ResolveApiKeyOptions {
  getKey: GetKey;
  /** Told every key string made, so the app's Redactor hides it in logs and errors. */
  onSecret?: ((value: string) => void) | undefined;
}

/**
 * `LOCALAGENT_<NAME>_API_KEY`: the variable the key store consults first for any provider name
 * (same rule as `localAgentEnvVar` in src/keys/providers.ts), so naming it is right for every provider.
 */
export function providerKeyEnvVar(provider: string): string {
  return `LOCALAGENT_${provider.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_KEY`;
}

/** The error for a provider that needs a key and has none. */
export function missingKeyError(provider: ProviderSpec, cause?: unknown): AuthenticationError {
  return new AuthenticationError({
    code: 'LA_PROVIDER_NO_KEY',
    category: 'user',
    message: `Provider "${provider.name}" needs an API key and none is stored.`,
    suggestion: `Store one with \`localagent config set-key ${provider.name}\` or set ${providerKeyEnvVar(provider.name)}.`,
    provider: provider.name,
    ...(cause !== undefined ? { cause } : {}),
  });
}

/**
 * The key string the AI SDK needs, or `undefined` for a keyless provider without one. The buffer
 * from `getKey` is zero-filled as soon as the string is made (a JS string cannot be wiped, so that
 * one copy lives on, registered with `onSecret` so logs hide it). A provider that requires a key
 * and has none → `LA_PROVIDER_NO_KEY`. For keyless providers a failing key store is not an error:
 * they work without one.
 */
export async function resolveApiKey(provider: ProviderSpec, options: ResolveApiKeyOptions): Promise<string | undefined> {
  let buffer: Buffer | undefined;
  try {
    buffer = await options.getKey(provider.name);
  } catch (error) {
    if (!provider.requiresKey) return undefined;
    throw error;
  }
  try {
    const key = buffer?.toString('utf8').trim() ?? '';
    if (key.length === 0) {
      if (provider.requiresKey) throw missingKeyError(provider);
      return undefined;
    }
    options.onSecret?.(key);
    return key;
  } finally {
    buffer?.fill(0);
  }
}
