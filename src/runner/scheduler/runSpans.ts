import { toLocalAgentError } from '../../core/errors/index.js';
import { ATTR, type Span, type Tracer } from '../../core/telemetry/index.js';
import type { AltPlan, AltTask, LastResult } from '../../formats/index.js';

/** How one try of a task ended, as its span says. */
export type TaskSpanStatus = 'succeeded' | 'failed' | 'retrying' | 'waiting_approval' | 'cancelled';

/**
 * The span of a run being executed (started, or resumed), a child of whatever is current where it
 * starts: the HTTP request that started it, or nothing for the CLI. Ids and counts only: the plan's
 * command and inputs are not recorded. Undefined when tracing is off.
 */
export function startRunSpan(tracer: Tracer | undefined, run: { runId: string; planId: string; plan: AltPlan; resumed: boolean }): Span | undefined {
  if (!tracer?.enabled) return undefined;
  return tracer.startSpan('run', {
    attributes: {
      [ATTR.runId]: run.runId,
      [ATTR.planId]: run.planId,
      [ATTR.runMode]: run.plan.mode,
      [ATTR.runResumed]: run.resumed,
      [ATTR.runTasks]: run.plan.tasks.length,
    },
  });
}

/** Ends a run's span once its `done` settles: its status, and the failing task's error code if it failed. */
export function endRunSpan(span: Span | undefined, done: Promise<LastResult>): void {
  if (span === undefined) return;
  done.then(
    (last) => {
      span.setAttributes({ [ATTR.runStatus]: last.status });
      if (last.status === 'failure') span.fail(last.error?.code ?? 'failure');
      span.end();
    },
    (error: unknown) => {
      span.fail(toLocalAgentError(error).code);
      span.end();
    },
  );
}

/** The span of one try of a task, `task <kind>`, under its run's span (explicitly: approvals and resumes start tasks from elsewhere). */
export function startTaskSpan(tracer: Tracer | undefined, runSpan: Span | undefined, task: { runId: string; planId: string; task: AltTask; attempt: number }): Span | undefined {
  if (!tracer?.enabled || runSpan === undefined) return undefined;
  return tracer.startSpan(`task ${task.task.kind}`, {
    parent: runSpan,
    attributes: {
      [ATTR.runId]: task.runId,
      [ATTR.planId]: task.planId,
      [ATTR.taskId]: task.task.id,
      [ATTR.taskKind]: task.task.kind,
      [ATTR.taskAttempt]: task.attempt,
    },
  });
}

/** Runs a task's tool with its span current, so model calls it makes become its children. */
export function inTaskSpan<T>(tracer: Tracer | undefined, span: Span | undefined, fn: () => T): T {
  return tracer && span ? tracer.withSpan(span, fn) : fn();
}

/** Ends a task try's span with its status; failures and retries carry the error's code. */
export function endTaskSpan(span: Span | undefined, status: TaskSpanStatus, errorCode?: string): void {
  if (span === undefined) return;
  span.setAttributes({ [ATTR.taskStatus]: status });
  if (errorCode !== undefined) span.fail(errorCode);
  span.end();
}
