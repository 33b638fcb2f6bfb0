import type { ErrorCategory } from '../../core/errors/index.js';

/** An error as the journal and the `.last` keep it: never a stack, never a secret. */
export interface ErrorRecord {
  code: string;
  message: string;
  category?: ErrorCategory;
}

/** How a run ended (`waiting_approval` is a pause, recorded by `run_paused`). */
export type FinalRunStatus = 'success' | 'partial' | 'failure' | 'cancelled';

/**
 * Every state change of a run, as written to the journal (`run_events`) before it takes effect.
 * Replaying them in order through `RunState.apply` rebuilds the run after a crash.
 */
export type JournalEvent =
  /** The run began in this process. */
  | { type: 'run_started'; data: { pid: number; host: string; concurrency: number } }
  /** A process took the run up again (after a crash, a pause, or to apply a decision). */
  | { type: 'run_resumed'; data: { pid: number; host: string; concurrency: number } }
  /**
   * Someone cancelled the run: nothing new starts, running tasks are aborted. `pid` and `host` say
   * who, when another process asked while this one ran the run (it appends the event without the
   * lease; the owner notices it within a fraction of a second).
   */
  | { type: 'run_cancel_requested'; data: { reason: string; pid?: number; host?: string } }
  /** Nothing can progress until a person decides on the listed tasks. */
  | { type: 'run_paused'; data: { waiting: string[] } }
  | { type: 'run_finished'; data: { status: FinalRunStatus } }
  /** The tool is about to run (attempt 1, 2, …; re-runs after a crash count too). */
  | { type: 'task_started'; taskId: string; attempt: number }
  /** The attempt failed with a transient error; another follows after `delay_ms`. */
  | { type: 'task_retrying'; taskId: string; attempt: number; data: { error: ErrorRecord; delay_ms: number } }
  | { type: 'task_succeeded'; taskId: string; attempt: number; data: { output: unknown } }
  /** Final failure (attempt 0: it failed before its tool could start, e.g. a template). */
  | { type: 'task_failed'; taskId: string; attempt: number; data: { error: ErrorRecord } }
  | { type: 'task_skipped'; taskId: string; data: { reason: 'condition' | 'dependency'; because?: string } }
  | { type: 'task_cancelled'; taskId: string; data: { error: ErrorRecord } }
  | { type: 'task_waiting_approval'; taskId: string; attempt: number; data: { message: string } }
  | { type: 'task_approved'; taskId: string; data: { by: string } }
  /** A person said no: the task fails with `LA_APPROVAL_DENIED`. */
  | { type: 'task_denied'; taskId: string; data: { by: string; error: ErrorRecord } };

export type JournalEventType = JournalEvent['type'];

/** An event with the time it was recorded. */
export type TimedEvent = JournalEvent & { at: string };

const TYPES: ReadonlySet<string> = new Set<JournalEventType>([
  'run_started',
  'run_resumed',
  'run_cancel_requested',
  'run_paused',
  'run_finished',
  'task_started',
  'task_retrying',
  'task_succeeded',
  'task_failed',
  'task_skipped',
  'task_cancelled',
  'task_waiting_approval',
  'task_approved',
  'task_denied',
]);

/** A stored row back as an event; rows of types this version does not know are left out. */
export function fromStored(row: { type: string; at: string; taskId?: string | undefined; attempt?: number | undefined; data: unknown }): TimedEvent | undefined {
  if (!TYPES.has(row.type)) return undefined;
  const event: Record<string, unknown> = { type: row.type, at: row.at };
  if (row.taskId !== undefined) event.taskId = row.taskId;
  if (row.attempt !== undefined) event.attempt = row.attempt;
  if (row.data !== undefined) event.data = row.data;
  // Written by this module's own types: the shape is trusted as the journal is ours.
  return event as TimedEvent;
}
