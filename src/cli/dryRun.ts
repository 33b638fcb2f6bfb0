import { resolve } from 'node:path';
import type { AltPlan, AltTask } from '../formats/index.js';
import type { Policy, PolicyEffect, PolicyRequest } from '../security/policy/index.js';

export interface DryRunDecision {
  task: string;
  action: string;
  resource: string;
  effect: PolicyEffect;
  reason: string;
}

/** The policy request a task would make first (templates are left as written: nothing runs). */
function requestFor(task: AltTask, workspace: string): PolicyRequest | undefined {
  const base = { principal: { type: 'Agent' as const, id: 'dry-run' }, context: { workspace, task_id: task.id, dry_run: true } };
  switch (task.kind) {
    case 'shell':
      return { ...base, action: 'shell.exec', resource: task.argv[0] ?? '', context: { ...base.context, argv: task.argv } };
    case 'fs': {
      const action = task.op === 'delete' ? 'fs.delete' : ['read', 'list', 'stat', 'glob'].includes(task.op) ? 'fs.read' : 'fs.write';
      // The tools ask about the resolved path; do the same (without touching the disk).
      return { ...base, action, resource: resolve(workspace, task.path) };
    }
    case 'http':
      return { ...base, action: 'http.request', resource: task.url, context: { ...base.context, method: task.method } };
    case 'ai':
      return { ...base, action: 'ai.generate', resource: task.model ?? task.models?.join(',') ?? task.strategy ?? 'auto' };
    case 'os':
      return { ...base, action: `os.${task.action}`, resource: task.action };
    default:
      return undefined;
  }
}

/** What the policy would decide for each task's first action, without running anything. */
export async function dryRunDecisions(plan: AltPlan, policy: Policy, workspace: string): Promise<DryRunDecision[]> {
  const out: DryRunDecision[] = [];
  for (const task of plan.tasks) {
    if (task.kind === 'approval') {
      out.push({ task: task.id, action: 'approval', resource: task.id, effect: 'approve', reason: task.message });
      continue;
    }
    const request = requestFor(task, workspace);
    if (!request) {
      out.push({ task: task.id, action: task.kind, resource: task.id, effect: 'allow', reason: 'computes a value; no side effects' });
      continue;
    }
    const decision = await policy.decide(request);
    out.push({ task: task.id, action: request.action, resource: request.resource, effect: decision.effect, reason: decision.reason });
  }
  return out;
}
