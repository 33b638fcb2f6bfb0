import { ApprovalRequiredError, PolicyDeniedError } from '../../core/errors/index.js';
import type { PolicyDecision, PolicyRequest, ToolContext } from '../types/index.js';

/**
 * Told of every decision a tool asked for, in order, before the tool acts on it: where the runner
 * writes `deny` and `approve` decisions to the audit log. A listener that throws stops the tool
 * (an action whose decision cannot be recorded must not happen).
 */
export type DecisionListener = (request: PolicyRequest, decision: PolicyDecision) => void | Promise<void>;

/**
 * Asks the policy before a tool acts. `deny` throws `PolicyDeniedError` (reason and rule ids in
 * `details`); `approve` throws `ApprovalRequiredError` unless a person already approved the task;
 * `allow` returns. The request's context always carries the run, the task, the workspace and
 * whether the task was approved; inside a run also the plan id, its mode and persona.
 */
export async function enforcePolicy(
  context: ToolContext,
  action: string,
  resource: string,
  facts: PolicyRequest['context'],
  onDecision?: DecisionListener,
): Promise<PolicyDecision> {
  const request: PolicyRequest = {
    // The tool contract carries no principal yet: a plan's tasks act as the agent running it.
    principal: { type: 'Agent', id: context.runId },
    action,
    resource,
    context: { run_id: context.runId, task_id: context.taskId, workspace: context.workspace, approved: context.approved, ...planFacts(context.run), ...facts },
  };
  const decision = await context.policy.decide(request);
  if (onDecision) await onDecision(request, decision);
  const details = { action, resource, reason: decision.reason, rules: decision.rules ?? [] };
  if (decision.effect === 'deny') {
    throw new PolicyDeniedError({ message: `Denied by policy: ${decision.reason}`, details });
  }
  if (decision.effect === 'approve' && !context.approved) {
    throw new ApprovalRequiredError({ message: `Needs approval: ${decision.reason}`, details });
  }
  return decision;
}

/** The plan facts a policy can test (`context.plan_id`, `context.mode`, `context.persona`). */
function planFacts(run: ToolContext['run']): PolicyRequest['context'] {
  if (!run) return {};
  return { plan_id: run.planId, mode: run.mode ?? 'normal', ...(run.persona !== undefined ? { persona: run.persona } : {}) };
}
