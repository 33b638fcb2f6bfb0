/**
 * Encryption of stored results (`security.encrypt_results`): an AES-256-GCM `FieldCipher` whose
 * data key the key store holds. See docs/security/encryption.md.
 */
export { createResultCipher, type ResultCipherOptions } from './createResultCipher.js';
export { ResultCipher, dataKeyId } from './ResultCipher.js';
export { KeylessCipher } from './KeylessCipher.js';
export { ENVELOPE_PREFIX, ENVELOPE_VERSION, isEnvelope } from './envelope.js';
export { RESULT_CIPHER_ERROR_CODES, resultsEncrypted, resultsKeyMismatch, resultsTampered, resultsCipherUnsupported } from './errors.js';
