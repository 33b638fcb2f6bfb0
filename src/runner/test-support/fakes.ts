import { ApprovalRequiredError, NetworkError, PolicyDeniedError } from '../../core/errors/index.js';
import type { AltTask } from '../../formats/index.js';
import type { RunnerToolContext } from '../RunnerToolContext.js';
import type { Policy, Tool, ToolContext, ToolLimits } from '../types/index.js';

export const allowAll: Policy = { decide: () => Promise.resolve({ effect: 'allow', reason: 'tests allow everything' }) };

export const limits: ToolLimits = { maxOutputBytes: 65_536, maxReadBytes: 65_536, defaultTimeoutMs: 10_000 };

export interface Call {
  taskId: string;
  task: AltTask;
  approved: boolean;
  attempt: number;
  scope: ToolContext['scope'];
}

/** The shell kind's parameters are the handiest carrier for templates: argv is a list of texts. */
export type Shell = Extract<AltTask, { kind: 'shell' }>;

/**
 * A tool for any kind that records its calls and answers with `behaviour(task, ctx)`; by default
 * `{ id, argv }` for shell tasks and `{ id }` otherwise.
 */
export function recordingTool<K extends AltTask['kind']>(
  kind: K,
  behaviour?: (task: Extract<AltTask, { kind: K }>, ctx: RunnerToolContext, calls: Call[]) => unknown,
): Tool<K> & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    kind,
    calls,
    async run(task, context) {
      const ctx = context as RunnerToolContext;
      calls.push({ taskId: task.id, task, approved: ctx.approved, attempt: ctx.attempt, scope: ctx.scope });
      if (behaviour) return behaviour(task, ctx, calls);
      const plain = task as AltTask;
      return plain.kind === 'shell' ? { id: plain.id, argv: plain.argv } : { id: plain.id };
    },
  };
}

/** Fails the first `failures` calls of each task with a transient NetworkError, then succeeds. */
export function flakyBehaviour(failures: number): (task: AltTask, ctx: RunnerToolContext) => unknown {
  return (task, ctx) => {
    if (ctx.attempt <= failures) throw new NetworkError({ message: `flaky ${task.id} attempt ${ctx.attempt}` });
    return { id: task.id, attempt: ctx.attempt };
  };
}

/** Never answers until aborted; then rejects with the abort reason (a well-behaved tool). */
export function hang(ctx: ToolContext): Promise<never> {
  return new Promise((_, reject) => {
    ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), { once: true });
  });
}

/** Never answers at all, even when aborted (a badly behaved tool). */
export function hangForever(): Promise<never> {
  return new Promise(() => undefined);
}

/** Asks for approval until approved, like a tool whose policy said `approve`. */
export function needsApproval(task: AltTask, ctx: ToolContext): unknown {
  if (!ctx.approved) throw new ApprovalRequiredError({ message: `May ${task.id} go ahead?` });
  return { id: task.id, approved: true };
}

export function denied(task: AltTask): never {
  throw new PolicyDeniedError({ message: `no ${task.id}` });
}

/** Resolves after `ms`, or rejects at once when the signal aborts. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}
