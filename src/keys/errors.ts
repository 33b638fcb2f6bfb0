import {
  AuthenticationError,
  NetworkError,
  ProviderError,
  SecretStoreError,
  TimeoutError,
  UserInputError,
  type LocalAgentError,
} from '../core/errors/index.js';

/**
 * Every error the key service throws, in one place so codes, messages and suggestions stay
 * consistent. Messages name providers, files and environment variables, never a key or password.
 */

const setKeyCommand = (provider: string): string => `localagent config set-key ${provider}`;

export const KEY_ERROR_CODES = [
  'LA_KEY_NOT_FOUND',
  'LA_KEY_FORMAT',
  'LA_KEY_PROVIDER_INVALID',
  'LA_KEY_REJECTED',
  'LA_KEY_CHECK_NETWORK',
  'LA_KEY_CHECK_TIMEOUT',
  'LA_KEY_CHECK_INCONCLUSIVE',
  'LA_KEY_MOVE_INCOMPLETE',
  'LA_KEY_STORE_CLOSED',
  'LA_KEY_INDEX_CORRUPT',
  'LA_KEYRING_UNAVAILABLE',
  'LA_MASTER_PASSWORD_REQUIRED',
  'LA_MASTER_PASSWORD_WEAK',
  'LA_VAULT_BAD_PASSWORD',
  'LA_VAULT_CORRUPT',
  'LA_VAULT_UNSUPPORTED',
  'LA_VAULT_MISSING',
  'LA_VAULT_BUSY',
  'LA_DATA_KEY_INVALID',
] as const;

export type KeyErrorCode = (typeof KEY_ERROR_CODES)[number];

export function keyNotFound(provider: string, envVars: readonly string[], note?: string): SecretStoreError {
  return new SecretStoreError({
    code: 'LA_KEY_NOT_FOUND',
    category: 'user',
    message: `No API key is stored for "${provider}"${note ? ` (${note})` : ''}.`,
    suggestion: `Store one with \`${setKeyCommand(provider)}\`, or set ${envVars.join(' or ')} in the environment.`,
    details: { provider },
  });
}

export function keyFormat(provider: string, problem: string, hint?: string): UserInputError {
  return new UserInputError({
    code: 'LA_KEY_FORMAT',
    message: `That does not look like an API key for ${provider}: ${problem}.`,
    suggestion: hint ?? `Copy the key again from the provider's dashboard (whole, without spaces or quotes) and run \`${setKeyCommand(provider)}\`.`,
    details: { provider },
  });
}

export function providerInvalid(): UserInputError {
  return new UserInputError({
    code: 'LA_KEY_PROVIDER_INVALID',
    message: 'A provider name must be 1 to 63 lowercase letters, digits, "_" or "-", starting with a letter or digit.',
    suggestion: 'Use the provider name from your config, e.g. `openai`, `anthropic`, `gemini`, `openrouter`.',
  });
}

export function keyRejected(provider: string, status: number): AuthenticationError {
  return new AuthenticationError({
    code: 'LA_KEY_REJECTED',
    category: 'user',
    provider,
    status,
    message: `${provider} rejected the key (HTTP ${status}); it was not stored.`,
    suggestion: `Check that the key is active and belongs to ${provider} (and the base URL is right), then run \`${setKeyCommand(provider)}\` again.`,
  });
}

const forceHint = 'The key was not checked. Try again when the provider is reachable, or store it unchecked with --force.';

export function keyCheckNetwork(provider: string, reason: string, cause: unknown): NetworkError {
  return new NetworkError({
    code: 'LA_KEY_CHECK_NETWORK',
    provider,
    message: `Could not reach ${provider} to check the key (${reason}).`,
    suggestion: `Check the base URL, proxy and network. ${forceHint}`,
    details: { reason, inconclusive: true },
    cause,
  });
}

export function keyCheckTimeout(provider: string, timeoutMs: number): TimeoutError {
  return new TimeoutError({
    code: 'LA_KEY_CHECK_TIMEOUT',
    provider,
    message: `${provider} did not answer the key check within ${timeoutMs} ms.`,
    suggestion: forceHint,
    details: { timeout_ms: timeoutMs, inconclusive: true },
  });
}

export function keyCheckInconclusive(provider: string, status: number, why: string): ProviderError {
  return new ProviderError({
    code: 'LA_KEY_CHECK_INCONCLUSIVE',
    category: 'transient',
    provider,
    status,
    message: `The key check against ${provider} was inconclusive: HTTP ${status} (${why}).`,
    suggestion: forceHint,
    details: { inconclusive: true },
  });
}

/** True for key-check failures that say nothing about the key itself: the CLI may store with --force. */
export function isInconclusiveKeyCheck(error: unknown): error is LocalAgentError {
  return (
    error instanceof ProviderError &&
    (error.code === 'LA_KEY_CHECK_NETWORK' || error.code === 'LA_KEY_CHECK_TIMEOUT' || error.code === 'LA_KEY_CHECK_INCONCLUSIVE')
  );
}

export function keyMoveIncomplete(provider: string, storedIn: string, leftIn: string, cause: unknown): SecretStoreError {
  return new SecretStoreError({
    code: 'LA_KEY_MOVE_INCOMPLETE',
    message: `The new key for "${provider}" is stored in the ${storedIn}, but the old copy in the ${leftIn} could not be removed: ${(cause as Error).message}`,
    suggestion: `Remove the old copy with \`localagent config delete-key ${provider} --backend ${leftIn === 'vault file' ? 'file' : 'keyring'}\`, then check with \`localagent config list-keys\`.`,
    details: { provider },
    cause,
  });
}

export function storeClosed(): SecretStoreError {
  return new SecretStoreError({
    code: 'LA_KEY_STORE_CLOSED',
    message: 'The key store was closed and its keys were wiped from memory.',
    suggestion: 'This is a bug in the caller: create a new key store instead of reusing a closed one.',
  });
}

export function indexCorrupt(file: string, why: string, cause?: unknown): SecretStoreError {
  return new SecretStoreError({
    code: 'LA_KEY_INDEX_CORRUPT',
    message: `The key index ${file} is damaged (${why}).`,
    suggestion: `Move ${file} aside; keys in the OS keyring still work, and \`localagent config set-key <provider>\` rebuilds their entries.`,
    details: { file },
    cause,
  });
}

export function keyringUnavailable(why: string, cause?: unknown): SecretStoreError {
  return new SecretStoreError({
    code: 'LA_KEYRING_UNAVAILABLE',
    message: `The OS keyring cannot be used here: ${why}`,
    suggestion:
      'Use the encrypted vault file instead (`--backend file`), or start and unlock a keyring (on headless Linux: gnome-keyring under dbus-run-session). `localagent config doctor` shows what works here.',
    cause,
  });
}

export function masterPasswordRequired(reason: string): SecretStoreError {
  return new SecretStoreError({
    code: 'LA_MASTER_PASSWORD_REQUIRED',
    category: 'user',
    message: `The key vault needs its master password (to ${reason === 'create' ? 'create it' : 'unlock it'}), and none was given.`,
    suggestion: 'Set LOCALAGENT_MASTER_PASSWORD, pass --master-password-file <file>, or run the command in a terminal to be asked for it.',
    details: { reason },
  });
}

export function masterPasswordWeak(minLength: number): UserInputError {
  return new UserInputError({
    code: 'LA_MASTER_PASSWORD_WEAK',
    message: `A master password must be at least ${minLength} characters long.`,
    suggestion: 'Choose a longer password or passphrase; a few random words are both strong and memorable.',
    details: { min_length: minLength },
  });
}

export function vaultBadPassword(file: string): SecretStoreError {
  return new SecretStoreError({
    code: 'LA_VAULT_BAD_PASSWORD',
    category: 'user',
    message: `The master password does not unlock the key vault ${file} (or the vault's header was altered). Nothing was changed.`,
    suggestion:
      'Check the password (LOCALAGENT_MASTER_PASSWORD, --master-password-file). If it is lost, the keys cannot be recovered: move the vault aside and store them again with `localagent config set-key <provider>`.',
    details: { file },
  });
}

export function vaultCorrupt(file: string, why: string, cause?: unknown): SecretStoreError {
  return new SecretStoreError({
    code: 'LA_VAULT_CORRUPT',
    message: `The key vault ${file} is damaged or was modified: ${why}. Nothing was read from it.`,
    suggestion: `Restore ${file} from a backup; otherwise move it aside and store your keys again with \`localagent config set-key <provider>\`.`,
    details: { file, reason: why },
    cause,
  });
}

export function vaultUnsupported(file: string, why: string): SecretStoreError {
  return new SecretStoreError({
    code: 'LA_VAULT_UNSUPPORTED',
    message: `The key vault ${file} cannot be read by this version of LocalAgent: ${why}.`,
    suggestion: 'Upgrade LocalAgent to the version that wrote the vault.',
    details: { file },
  });
}

export function vaultMissing(file: string): SecretStoreError {
  return new SecretStoreError({
    code: 'LA_VAULT_MISSING',
    category: 'user',
    message: `There is no key vault at ${file} yet.`,
    suggestion: 'Store a key with `localagent config set-key <provider> --backend file` to create it.',
    details: { file },
  });
}

export function vaultBusy(file: string): SecretStoreError {
  return new SecretStoreError({
    code: 'LA_VAULT_BUSY',
    category: 'transient',
    message: `The key vault ${file} kept changing (re-keyed by another process) while this one tried to write it.`,
    suggestion: 'Try again; if it persists, check which other LocalAgent processes are changing the vault.',
    details: { file },
  });
}

export function dataKeyInvalid(name: string, length: number, backend: string): SecretStoreError {
  return new SecretStoreError({
    code: 'LA_DATA_KEY_INVALID',
    message: `The stored data key "${name}" (in the ${backend === 'file' ? 'vault file' : 'OS keyring'}) is ${length} bytes long, not 32: it was replaced or damaged outside LocalAgent. It was not used.`,
    suggestion: `Restore the "${name}" entry from your backup (see docs/security/encryption.md). Results encrypted with the original key cannot be read without it.`,
    details: { name, length, backend },
  });
}
