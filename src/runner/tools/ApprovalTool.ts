import { ApprovalRequiredError } from '../../core/errors/index.js';
import type { AltTask } from '../../formats/index.js';
import type { Tool, ToolContext } from '../types/index.js';
import { enforcePolicy, type DecisionListener } from './enforcePolicy.js';
import { throwIfAborted } from './toolErrors.js';

/** Who approved a task, and when (ISO-8601). */
export interface ApprovalRecord {
  by: string;
  at: string;
}

export interface ApprovalToolOptions {
  /**
   * Who approved a task and when, for runners whose ToolContext does not carry it (see
   * `ToolContext.approval` below). Default: none.
   */
  lookup?: (runId: string, taskId: string) => ApprovalRecord | undefined;
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
 * The approver's identity is read from `context.approval` when the runner provides it (an
 * optional field this tool anticipates; the lead owns the ToolContext contract), else from the
 * `lookup` option, else reported as "unknown".
 */
export class ApprovalTool implements Tool<'approval'> {
  readonly kind = 'approval' as const;
  private readonly lookup: ApprovalToolOptions['lookup'];
  private readonly clock: () => Date;
  private readonly onDecision: DecisionListener | undefined;

  constructor(options: ApprovalToolOptions = {}) {
    this.lookup = options.lookup;
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
    const record = (context as ToolContext & { approval?: ApprovalRecord }).approval ?? this.lookup?.(context.runId, context.taskId);
    return { approved_by: record?.by ?? 'unknown', at: record?.at ?? this.clock().toISOString() };
  }
}
