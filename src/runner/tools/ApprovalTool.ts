import { ApprovalRequiredError } from '../../core/errors/index.js';
import type { AltTask } from '../../formats/index.js';
import type { Tool, ToolContext } from '../types/index.js';
import { enforcePolicy, type DecisionListener } from './enforcePolicy.js';
import { throwIfAborted } from './toolErrors.js';

export interface ApprovalToolOptions {
  /** The time reported when no record says when. Default: now. */
  clock?: () => Date;
  onDecision?: DecisionListener;
}

export interface ApprovalOutput {
  approved_by: string;
  at: string;
}

type ApprovalTask = Extract<AltTask, { kind: 'approval' }>;

/**
 * Waits for a person: until the task is approved it throws `ApprovalRequiredError` (details:
 * `{ message }`) so the runner pauses the run; once approved it returns who approved and when.
 * A denial never reaches the tool: the runner fails the task.
 *
 * The approver's identity comes from `context.approval`; without it (a runner that does not
 * record one) it is reported as "unknown".
 */
export class ApprovalTool implements Tool<'approval'> {
  readonly kind = 'approval' as const;
  private readonly clock: () => Date;
  private readonly onDecision: DecisionListener | undefined;

  constructor(options: ApprovalToolOptions = {}) {
    this.clock = options.clock ?? (() => new Date());
    this.onDecision = options.onDecision;
  }

  async run(task: ApprovalTask, context: ToolContext): Promise<ApprovalOutput> {
    throwIfAborted(context.signal, 'The approval');
    await enforcePolicy(context, 'approval.request', context.taskId, {}, this.onDecision);
    if (!context.approved) {
      throw new ApprovalRequiredError({
        message: `Waiting for approval: ${task.message}`,
        details: { message: task.message },
      });
    }
    const record = context.approval;
    return { approved_by: record?.by ?? 'unknown', at: record?.at ?? this.clock().toISOString() };
  }
}
