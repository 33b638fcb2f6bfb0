import { ResultCipher } from './ResultCipher.js';

export interface ResultCipherOptions {
  /** The 32-byte data key new values are sealed with (from `KeyStore.getOrCreateDataKey('results')`). */
  key: Uint8Array;
  /** Earlier data keys, still accepted for opening (after a rotation). */
  previousKeys?: readonly Uint8Array[];
}

/**
 * The cipher for results at rest (`security.encrypt_results`). The keys are copied (as derived
 * AES keys), so the caller can wipe its buffers at once; `dispose()` wipes the copies.
 */
export function createResultCipher(options: ResultCipherOptions): ResultCipher {
  return new ResultCipher(options.key, options.previousKeys ?? []);
}
