export { AuditLog, hashEntry, type AuditLogOptions, type AuditReadOptions } from './AuditLog.js';
export {
  AUDIT_OUTCOMES,
  GENESIS_HASH,
  RESERVED_AUDIT_FIELDS,
  type AuditBreak,
  type AuditChainFields,
  type AuditEntry,
  type AuditEvent,
  type AuditOutcome,
  type AuditVerifyBroken,
  type AuditVerifyOk,
  type AuditVerifyResult,
} from './AuditEvent.js';
export { canonicalJson, type JsonValue } from './canonicalJson.js';
// File primitives the audit log is built on; the key store uses them too. Candidates for src/core.
export { withFileLock, type FileLockOptions } from './withFileLock.js';
export { writeFileAtomic, fsyncDir, tempPrefixFor, type WriteFileAtomicOptions } from './writeFileAtomic.js';
