import type { AltPlan } from '../../formats/index.js';
import type { ErrorRecord, FinalRunStatus, JournalEvent, TimedEvent } from './events.js';

/** A task's state inside the runner (`running` and `retry_wait` never reach a `.last`). */
export type TaskStatus = 'pending' | 'running' | 'retry_wait' | 'waiting_approval' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

const TERMINAL: ReadonlySet<TaskStatus> = new Set(['succeeded', 'failed', 'skipped', 'cancelled']);

export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL.has(status);
}

export interface TaskState {
  status: TaskStatus;
  /** Tool starts so far. */
  attempts: number;
  /** Failed attempts that were retried (the retry budget counts these, not crash re-runs). */
  failures: number;
  output?: unknown;
  error?: ErrorRecord | undefined;
  startedAt?: string;
  finishedAt?: string;
  skipReason?: 'condition' | 'dependency';
  skippedBecause?: string | undefined;
  approval?: { message?: string; requestedAt?: string; decision?: 'approved' | 'denied'; by?: string; at?: string };
  /** A person approved it: the next attempt runs with `approved: true`. */
  approved: boolean;
}

/** Why the run is stopping: a task with `on_failure: fail` failed, or someone cancelled. */
export interface Stopping {
  reason: 'failure' | 'cancelled';
  taskId?: string;
  error: ErrorRecord;
}

/**
 * A run's state as its journal describes it. The runner applies each event here as it records
 * it, and `replay` applies the stored journal after a crash: the same function both times, so a
 * resumed run sees exactly what the crashed one had committed.
 */
export class RunState {
  readonly tasks: TaskState[];
  readonly indexById = new Map<string, number>();
  startedAt: string | undefined;
  finishedAt: string | undefined;
  finalStatus: FinalRunStatus | undefined;
  stopping: Stopping | undefined;
  /** Tasks in a terminal state (kept as a count so "is everything done?" is O(1)). */
  terminalCount = 0;

  constructor(readonly plan: AltPlan) {
    this.tasks = plan.tasks.map((task, i) => {
      this.indexById.set(task.id, i);
      return { status: 'pending', attempts: 0, failures: 0, approved: false };
    });
  }

  static replay(plan: AltPlan, events: Iterable<TimedEvent>): RunState {
    const state = new RunState(plan);
    for (const event of events) state.apply(event, event.at);
    return state;
  }

  get allTerminal(): boolean {
    return this.terminalCount === this.tasks.length;
  }

  task(taskId: string): TaskState | undefined {
    const i = this.indexById.get(taskId);
    return i === undefined ? undefined : this.tasks[i];
  }

  /** Sets a task's status, keeping the terminal count right. */
  setStatus(t: TaskState, status: TaskStatus): void {
    const was = isTerminal(t.status);
    const is = isTerminal(status);
    if (was !== is) this.terminalCount += is ? 1 : -1;
    t.status = status;
  }

  /** Applies one event recorded at `at` (ISO-8601). */
  apply(event: JournalEvent, at: string): void {
    switch (event.type) {
      case 'run_started':
        this.startedAt ??= at;
        return;
      case 'run_cancel_requested':
        this.stopping ??= { reason: 'cancelled', error: { code: 'LA_CANCELLED', message: event.data.reason, category: 'user' } };
        return;
      case 'run_finished':
        this.finalStatus = event.data.status;
        this.finishedAt = at;
        return;
      case 'run_resumed':
      case 'run_paused':
        return;
      default:
        break;
    }
    const t = this.task(event.taskId);
    if (!t) return;
    switch (event.type) {
      case 'task_started':
        this.setStatus(t, 'running');
        t.attempts = event.attempt;
        t.startedAt ??= at;
        return;
      case 'task_retrying':
        this.setStatus(t, 'retry_wait');
        t.failures += 1;
        t.error = event.data.error;
        return;
      case 'task_succeeded':
        this.setStatus(t, 'succeeded');
        t.output = event.data.output;
        t.error = undefined;
        t.finishedAt = at;
        return;
      case 'task_failed':
        this.fail(event.taskId, t, event.data.error, at);
        return;
      case 'task_skipped':
        this.setStatus(t, 'skipped');
        t.skipReason = event.data.reason;
        t.skippedBecause = event.data.because;
        t.finishedAt = at;
        return;
      case 'task_cancelled':
        this.setStatus(t, 'cancelled');
        t.error = event.data.error;
        t.finishedAt = at;
        return;
      case 'task_waiting_approval':
        this.setStatus(t, 'waiting_approval');
        t.approval = { message: event.data.message, requestedAt: at };
        return;
      case 'task_approved':
        this.setStatus(t, 'pending');
        t.approved = true;
        t.approval = { ...t.approval, decision: 'approved', by: event.data.by, at: at };
        return;
      case 'task_denied':
        t.approval = { ...t.approval, decision: 'denied', by: event.data.by, at: at };
        this.fail(event.taskId, t, event.data.error, at);
        return;
    }
  }

  private fail(taskId: string, t: TaskState, error: ErrorRecord, at: string): void {
    this.setStatus(t, 'failed');
    t.error = error;
    t.finishedAt = at;
    const i = this.indexById.get(taskId) as number;
    if ((this.plan.tasks[i]?.on_failure ?? 'fail') === 'fail') this.stopping ??= { reason: 'failure', taskId, error };
  }
}
