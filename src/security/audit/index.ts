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
export {
  approvalAuditEvent,
  policyChangedAuditEvent,
  policyDenialAuditEvent,
  type PolicyChangeLike,
  type RunEventLike,
  type PolicyDecisionLike,
} from './securityEvents.js';
