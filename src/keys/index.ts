export {
  KeyStore,
  createKeyStore,
  DATA_KEY_BYTES,
  DATA_KEY_MASK,
  type BackendChoice,
  type DataKey,
  type DataKeyStatus,
  type DeletedKey,
  type DoctorReport,
  type GetMasterPassword,
  type KeyBackend,
  type KeyListEntry,
  type KeySource,
  type KeyStoreOptions,
  type RetrievedKey,
  type SetKeyOptions,
  type StoredCopy,
  type StoredKey,
} from './KeyStore.js';
export { validateKeyFormat } from './validateKeyFormat.js';
export { validateKeyLive, type LiveCheckOptions, type LiveCheckResult } from './validateKeyLive.js';
export { fingerprint, maskKey } from './fingerprint.js';
export { dataKeyName, envVarsFor, isDataKeyName, kindOf, localAgentEnvVar, normaliseProvider, providerForEnvVar, PROVIDER_KINDS, type DataKeyPurpose, type ProviderKind } from './providers.js';
export { OsKeyring, type KeyringAdapter, type OsKeyringOptions } from './KeyringAdapter.js';
export { currentIdentity, type KeyAuditAction, type KeyAuditEvent, type ProcessIdentity } from './KeyAudit.js';
export { MIN_MASTER_PASSWORD_LENGTH, type MasterPasswordReason } from './vault/VaultStore.js';
export { DEFAULT_SCRYPT, type ScryptParams } from './vault/vaultCrypto.js';
export { isInconclusiveKeyCheck, KEY_ERROR_CODES, type KeyErrorCode } from './errors.js';
