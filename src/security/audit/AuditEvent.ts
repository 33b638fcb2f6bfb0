import type { JsonValue } from '../../core/json/index.js';

/** How the audited action ended. */
export type AuditOutcome = 'success' | 'failure' | 'allowed' | 'denied' | 'approval_required';

export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['success', 'failure', 'allowed', 'denied', 'approval_required'];

/**
 * One security-relevant event, before it is chained. Extra fields are free-form but must be JSON and
 * secret-free: fields named like secrets (`key`, `token`, `password`…) are refused, and strings are
 * passed through the redactor, so a value that slips through is stored as `[REDACTED]`.
 */
export interface AuditEvent {
  /** What area the event belongs to: `key`, `policy`, `auth`, `token`… */
  category: string;
  /** What was attempted: `store`, `retrieve`, `decide`, `login`… */
  action: string;
  /** How it ended. */
  outcome: AuditOutcome;
  /** Who did it: an OS user, an API principal. */
  actor?: string;
  /** What it was done to: a provider name, a file, a run id. Never a secret. */
  subject?: string;
  /** Further secret-free facts. */
  [field: string]: JsonValue | undefined;
}

/** Fields the log itself adds to every event; an event may not use these names. */
export interface AuditChainFields {
  /** Entry format version. */
  v: 1;
  /** Position in the log, 1 for the first entry, +1 for each next one. */
  seq: number;
  /** When it was appended, ISO 8601 UTC. */
  time: string;
  /** `hash` of the previous entry; 64 zeros for the first. */
  prev: string;
  /** SHA-256, hex, of the canonical JSON of this entry without `hash`. */
  hash: string;
}

/** An event as stored: the event plus its place in the chain. */
export type AuditEntry = AuditEvent & AuditChainFields;

export const RESERVED_AUDIT_FIELDS: readonly string[] = ['v', 'seq', 'time', 'prev', 'hash'];

export const GENESIS_HASH = '0'.repeat(64);

/** What `verify()` found. */
export type AuditVerifyResult = AuditVerifyOk | AuditVerifyBroken;

export interface AuditVerifyOk {
  ok: true;
  /** Number of entries checked. */
  entries: number;
  /** Hash of the last entry (64 zeros when the log is empty): write it down to anchor the log elsewhere. */
  lastHash: string;
  /**
   * The head anchor: `ok` matches the last entry; `behind` records an earlier entry that does match
   * (a crash between appending and updating the anchor); `missing` there is none (a log written
   * before anchors, or the anchor was deleted — removal of entries from the end cannot be checked).
   */
  anchor: 'ok' | 'behind' | 'missing';
}

/** Why the chain is broken. */
export type AuditBreak =
  | 'incomplete' // the last line has no newline: a torn write or a cut file
  | 'malformed' // not a JSON object with the chain fields
  | 'not_canonical' // valid JSON, but not the exact bytes the log writes: edited by hand
  | 'sequence' // seq is not previous + 1: an entry was removed, duplicated or moved
  | 'chain' // prev is not the previous entry's hash: removed, inserted or reordered
  | 'hash' // content does not match its own hash: the entry was edited
  | 'truncated' // the anchor records more entries than the log holds: the end was cut off
  | 'anchor'; // the anchor's hash differs from the entry it names

export interface AuditVerifyBroken {
  ok: false;
  /** The first line (1-based) that does not check out. */
  line: number;
  /** Machine-readable kind of break. */
  break: AuditBreak;
  /** A sentence saying what is wrong. */
  reason: string;
  /** Entries before `line` that did check out. */
  entries: number;
}
