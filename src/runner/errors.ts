import { InternalError, type LocalAgentError, OperationCancelledError, PolicyDeniedError, StorageError, TimeoutError, UserInputError, toLocalAgentError } from '../core/errors/index.js';
import type { ErrorRecord } from './journal/events.js';
import { formatMs } from './scheduler/durations.js';

/** The error as the journal and the `.last` keep it. */
export function errorRecord(thrown: unknown): ErrorRecord {
  const error = toLocalAgentError(thrown);
  return { code: error.code, message: error.message, category: error.category };
}

/** Whether a tool asked for a person's approval (by code, so any tool's own error class works). */
export function isApprovalRequired(thrown: unknown): boolean {
  return (thrown as { code?: unknown } | null)?.code === 'LA_APPROVAL_REQUIRED';
}

export function taskTimeout(taskId: string, ms: number): TimeoutError {
  return new TimeoutError({
    code: 'LA_TASK_TIMEOUT',
    message: `Task "${taskId}" ran longer than its timeout of ${formatMs(ms)} and was stopped.`,
    suggestion: 'Raise the task\'s `timeout` in the plan (or the runner\'s default), or make the task do less.',
    details: { task: taskId, timeout_ms: ms },
  });
}

export function approvalDenied(taskId: string, by: string): PolicyDeniedError {
  return new PolicyDeniedError({
    code: 'LA_APPROVAL_DENIED',
    message: `${by} denied task "${taskId}".`,
    suggestion: 'The task failed and its on_failure policy applied; change the plan and run it again if it should go ahead.',
    details: { task: taskId, by },
  });
}

export function approvalExpired(taskId: string, requestedAt: string, timeoutMs: number): PolicyDeniedError {
  return new PolicyDeniedError({
    code: 'LA_APPROVAL_EXPIRED',
    message: `Nobody approved task "${taskId}" within ${formatMs(timeoutMs)} of the request (made ${requestedAt}), so the request expired and the task failed.`,
    suggestion: 'Run the plan again if it should still go ahead, and approve it while it waits; `runner.approval_timeout_ms` in the config sets how long a request stays open.',
    details: { task: taskId, requested_at: requestedAt, timeout_ms: timeoutMs },
  });
}

export function taskNotWaiting(runId: string, taskId: string, status: string | undefined): UserInputError {
  return new UserInputError({
    code: 'LA_TASK_NOT_WAITING',
    message:
      status === undefined
        ? `Run ${runId} has no task "${taskId}".`
        : `Task "${taskId}" of run ${runId} is not waiting for approval (it is ${status.replace('_', ' ')}).`,
    suggestion: `See which tasks wait with \`localagent runs show ${runId}\`.`,
    details: { run_id: runId, task: taskId, ...(status ? { status } : {}) },
  });
}

export function stopError(reason: 'failure' | 'cancelled', message: string): LocalAgentError {
  return new OperationCancelledError({ message: reason === 'cancelled' ? `Cancelled: ${message}` : message });
}

export function outputNotJson(taskId: string, cause: unknown): LocalAgentError {
  return new InternalError({
    code: 'LA_TOOL_OUTPUT_INVALID',
    category: 'permanent',
    message: `The tool of task "${taskId}" returned an output that cannot be stored as JSON: ${cause instanceof Error ? cause.message : String(cause)}.`,
    suggestion: 'This is a bug in the tool; report it with the plan that shows it.',
    details: { task: taskId },
    cause,
  });
}

/** Another process runs the run; the cancel request is in its journal, but the run had not stopped when the caller stopped waiting. */
export function cancelPending(runId: string, waitedMs: number, owner: { pid?: unknown; host?: unknown }): StorageError {
  return new StorageError({
    code: 'LA_RUN_CANCEL_PENDING',
    category: 'transient',
    message: `Cancel requested: run ${runId} is being run by another process (pid ${String(owner.pid)} on ${String(owner.host)}), which had not stopped it after ${formatMs(waitedMs)}; it will stop at its next check.`,
    suggestion: `See whether it stopped with \`localagent runs show ${runId}\`. The request is recorded: if that process has died, the run is cancelled when it is next resumed or cancelled.`,
    details: { run_id: runId, owner_pid: owner.pid, owner_host: owner.host, waited_ms: waitedMs },
  });
}
