import type { JournalEvent } from '../journal/events.js';
import type { RunState, TaskState } from '../journal/RunState.js';
import { approvalExpired, errorRecord } from '../errors.js';

/** Who the journal says decided an approval nobody answered in time. */
export const APPROVAL_TIMEOUT_ACTOR = 'approval timeout';

/**
 * Whether a task has waited for approval longer than `timeoutMs`. An approval is a person's
 * judgement of the situation when the request was made; days later the workspace, the plan's
 * inputs or the person's intent may have changed, so a stale request is not approvable.
 */
export function isApprovalOverdue(t: TaskState | undefined, now: number, timeoutMs: number | undefined): boolean {
  if (timeoutMs === undefined || t?.status !== 'waiting_approval') return false;
  const requestedAt = Date.parse(t.approval?.requestedAt ?? '');
  return Number.isFinite(requestedAt) && now - requestedAt > timeoutMs;
}

/** The event that fails an overdue approval: a denial by the timeout, with `LA_APPROVAL_EXPIRED`. */
export function expiryEvent(taskId: string, t: TaskState, timeoutMs: number): JournalEvent {
  const error = approvalExpired(taskId, t.approval?.requestedAt ?? 'an unknown time', timeoutMs);
  return { type: 'task_denied', taskId, data: { by: APPROVAL_TIMEOUT_ACTOR, error: errorRecord(error) } };
}

/** Denials for every task of the run whose approval request is overdue, in plan order. */
export function expiryEvents(state: RunState, now: number, timeoutMs: number | undefined): JournalEvent[] {
  if (timeoutMs === undefined) return [];
  const events: JournalEvent[] = [];
  state.plan.tasks.forEach((task, i) => {
    const t = state.tasks[i];
    if (t && isApprovalOverdue(t, now, timeoutMs)) events.push(expiryEvent(task.id, t, timeoutMs));
  });
  return events;
}
