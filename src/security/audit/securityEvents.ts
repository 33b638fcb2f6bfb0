import type { AuditEvent } from './AuditEvent.js';

/** A run-journal event, as much of it as auditing needs (the store's `StoredRunEvent` fits). */
export interface RunEventLike {
  type: string;
  runId: string;
  taskId?: string | undefined;
  data?: unknown;
}

/**
 * The audit entry for a run event that involves a person: a task that waits for approval (an
 * approval task or a policy "needs approval"), or a person's decision with who made it. Other events
 * are not security events: `undefined`.
 */
export function approvalAuditEvent(event: RunEventLike): AuditEvent | undefined {
  const subject = `${event.runId}/${event.taskId ?? ''}`;
  const data = (event.data ?? {}) as { by?: unknown; message?: unknown };
  if (event.type === 'task_waiting_approval') {
    return { category: 'approval', action: 'request', outcome: 'approval_required', actor: `Agent:${event.runId}`, subject, ...(typeof data.message === 'string' ? { reason: data.message } : {}) };
  }
  if (event.type === 'task_approved' || event.type === 'task_denied') {
    return { category: 'approval', action: event.type === 'task_approved' ? 'approve' : 'deny', outcome: 'success', actor: typeof data.by === 'string' ? data.by : 'unknown', subject };
  }
  return undefined;
}

/** A policy request and its decision, as much of them as auditing needs (the runner's types fit). */
export interface PolicyDecisionLike {
  request: { principal: { type: string; id: string }; action: string; resource: string };
  decision: { effect: string; reason: string; rules?: string[] | undefined };
}

/** The audit entry for a policy decision that denies. */
export function policyDenialAuditEvent({ request, decision }: PolicyDecisionLike): AuditEvent {
  return {
    category: 'policy',
    action: request.action,
    outcome: 'denied',
    actor: `${request.principal.type}:${request.principal.id}`,
    subject: request.resource,
    reason: decision.reason,
    rules: decision.rules ?? [],
  };
}

/** The policy set now in force, as much of it as auditing needs. */
export interface PolicyChangeLike {
  /** SHA-256 of everything that shapes decisions: the schema, every policy file, the allow lists. */
  sha256: string;
  /** The one recorded before, or undefined the first time policies are loaded in this home. */
  previous: string | undefined;
  /** Each policy file (built-in defaults and the user's) with the SHA-256 of its text. */
  files: readonly { file: string; origin: string; sha256: string }[];
  /** The config's `security.allow_commands` and `security.allow_hosts`, which act as facts. */
  allowCommands: readonly string[];
  allowHosts: readonly string[];
}

/** The audit entry `policy.changed`: the policies in force differ from the last ones recorded. */
export function policyChangedAuditEvent(change: PolicyChangeLike): AuditEvent {
  return {
    category: 'policy',
    action: 'changed',
    outcome: 'success',
    subject: change.sha256,
    previous_sha256: change.previous ?? null,
    files: change.files.map(({ file, origin, sha256 }) => ({ file, origin, sha256 })),
    allow_commands: [...change.allowCommands],
    allow_hosts: [...change.allowHosts],
  };
}
