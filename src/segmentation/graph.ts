import type { AltPlan, AltTask } from '../formats/alt/index.js';

/** Task ids a task's parameters read through `{{ tasks.<id>.output… }}` templates, in order of appearance. */
export function templateReferences(task: AltTask): string[] {
  const { id: _id, title: _title, needs: _needs, ...params } = task;
  const refs: string[] = [];
  for (const match of JSON.stringify(params).matchAll(/\{\{\s*tasks\.([A-Za-z_][A-Za-z0-9_-]*)/g)) {
    const ref = match[1] as string;
    if (!refs.includes(ref)) refs.push(ref);
  }
  return refs;
}

/**
 * Adds to `needs` every existing task a task's templates read but does not list (models often
 * forget). Pure: returns a new plan; tasks that need nothing new are kept as they are.
 */
export function addTemplateNeeds(plan: AltPlan): AltPlan {
  const ids = new Set(plan.tasks.map((t) => t.id));
  return {
    ...plan,
    tasks: plan.tasks.map((task) => {
      const missing = templateReferences(task).filter((ref) => ids.has(ref) && ref !== task.id && !(task.needs ?? []).includes(ref));
      return missing.length === 0 ? task : { ...task, needs: [...(task.needs ?? []), ...missing] };
    }),
  };
}

/**
 * What makes a schema-valid plan unrunnable: a task id used twice, `needs` naming no task or the
 * task itself, a template reading a task that does not exist or that the task does not (directly
 * or through others) need, and dependency cycles. Empty when the plan is a proper DAG.
 */
export function checkPlanGraph(plan: AltPlan): string[] {
  const problems: string[] = [];
  const byId = new Map<string, AltTask>();
  for (const task of plan.tasks) {
    if (byId.has(task.id)) problems.push(`task id "${task.id}" is used more than once`);
    else byId.set(task.id, task);
  }
  for (const task of plan.tasks) {
    for (const need of task.needs ?? []) {
      if (need === task.id) problems.push(`task "${task.id}" needs itself`);
      else if (!byId.has(need)) problems.push(`task "${task.id}" needs "${need}", which is not a task of this plan`);
    }
  }
  const cycle = findCycle(plan.tasks, byId);
  if (cycle) {
    problems.push(`tasks depend on each other in a cycle: ${cycle.join(' → ')}`);
    return problems;
  }
  for (const task of plan.tasks) {
    const ancestors = ancestorsOf(task, byId);
    for (const ref of templateReferences(task)) {
      if (!byId.has(ref)) problems.push(`task "${task.id}" reads the output of "${ref}", which is not a task of this plan`);
      else if (!ancestors.has(ref)) problems.push(`task "${task.id}" reads the output of "${ref}" but does not need it`);
    }
  }
  return problems;
}

function ancestorsOf(task: AltTask, byId: ReadonlyMap<string, AltTask>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(task.needs ?? [])];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(byId.get(id)?.needs ?? []));
  }
  return seen;
}

/** A dependency cycle as a path of ids (first id repeated at the end), or undefined. */
function findCycle(tasks: readonly AltTask[], byId: ReadonlyMap<string, AltTask>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  for (const root of tasks) {
    if (state.has(root.id)) continue;
    // Iterative depth-first search: plans may hold thousands of tasks, deeper than the call stack.
    const path: string[] = [];
    const stack: { id: string; next: number }[] = [{ id: root.id, next: 0 }];
    state.set(root.id, 'open');
    path.push(root.id);
    while (stack.length > 0) {
      const frame = stack.at(-1) as { id: string; next: number };
      const needs = (byId.get(frame.id)?.needs ?? []).filter((n) => byId.has(n) && n !== frame.id);
      if (frame.next >= needs.length) {
        state.set(frame.id, 'done');
        stack.pop();
        path.pop();
        continue;
      }
      const need = needs[frame.next] as string;
      frame.next += 1;
      const seen = state.get(need);
      if (seen === 'open') return [...path.slice(path.indexOf(need)), need];
      if (seen === undefined) {
        state.set(need, 'open');
        stack.push({ id: need, next: 0 });
        path.push(need);
      }
    }
  }
  return undefined;
}
