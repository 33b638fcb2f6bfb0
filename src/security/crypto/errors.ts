import { InternalError, SecretStoreError, StorageError } from '../../core/errors/index.js';

/**
 * Every error the result cipher throws. Messages name where the value came from and the data
 * key's id (a hash, safe to show), never the key, the plain text or the ciphertext.
 */

export const RESULT_CIPHER_ERROR_CODES = ['LA_RESULTS_ENCRYPTED', 'LA_RESULTS_KEY_MISMATCH', 'LA_RESULTS_TAMPERED', 'LA_RESULTS_CIPHER_UNSUPPORTED'] as const;

const where = (source: string | undefined): string => (source ? ` in ${source}` : '');

/** A sealed value was found, and this LocalAgent has no cipher (encryption is off here). */
export function resultsEncrypted(source?: string): SecretStoreError {
  return new SecretStoreError({
    code: 'LA_RESULTS_ENCRYPTED',
    category: 'user',
    message: `The result${where(source)} is encrypted (security.encrypt_results), and encryption is turned off in this configuration, so LocalAgent has no key to open it.`,
    suggestion:
      'Turn it back on to read encrypted results: `security: { encrypt_results: true }` in config.yaml, or LOCALAGENT_SECURITY__ENCRYPT_RESULTS=true for one command. The data key must still be in the keyring or the vault (docs/security/encryption.md).',
    details: source ? { source } : {},
  });
}

/** Sealed under a data key this home does not have (lost, replaced, or copied from another machine). */
export function resultsKeyMismatch(keyId: string, known: readonly string[], source?: string): SecretStoreError {
  return new SecretStoreError({
    code: 'LA_RESULTS_KEY_MISMATCH',
    category: 'user',
    message: `The result${where(source)} was encrypted with data key ${keyId}, but this LocalAgent's results key is ${known.join(', ')}. Without key ${keyId} it cannot be read.`,
    suggestion:
      'Restore the data key from your backup: the vault file (vault.json) together with its master password, or the OS keyring entry "data-key:results" of service "localagent". `localagent config doctor` shows which key is in use. If the key is lost, so is this result.',
    details: { key_id: keyId, known_key_ids: [...known], ...(source ? { source } : {}) },
  });
}

/** Authentication failed, or the envelope is not one this code wrote: someone changed it, or the disk damaged it. */
export function resultsTampered(reason: string, source?: string): StorageError {
  return new StorageError({
    code: 'LA_RESULTS_TAMPERED',
    category: 'permanent',
    message: `The encrypted result${where(source)} failed its integrity check (${reason}): it was altered or damaged after it was written. Nothing of it was used.`,
    suggestion: 'Restore the file or database from a backup. If nobody should have changed it, treat this as a sign that someone with access to your home folder did.',
    details: { reason, ...(source ? { source } : {}) },
  });
}

/** A version of the envelope format this code does not know (written by a newer LocalAgent). */
export function resultsCipherUnsupported(version: string, source?: string): StorageError {
  return new StorageError({
    code: 'LA_RESULTS_CIPHER_UNSUPPORTED',
    category: 'permanent',
    message: `The result${where(source)} is encrypted in format ${version}, which this version of LocalAgent does not know.`,
    suggestion: 'Read it with the (newer) LocalAgent version that wrote it, or upgrade this one.',
    details: { version, ...(source ? { source } : {}) },
  });
}

/** The caller handed over something that is not a 32-byte key: a bug, not a user mistake. */
export function badDataKey(length: number): InternalError {
  return new InternalError({ message: `A results data key must be 32 bytes, not ${length}.`, details: { length } });
}

/** The cipher was used after `dispose()` wiped its keys. */
export function cipherDisposed(): InternalError {
  return new InternalError({ message: 'The result cipher was used after its keys were wiped (dispose).' });
}
