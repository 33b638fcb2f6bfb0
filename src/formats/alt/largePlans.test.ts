import { describe, expect, it } from 'vitest';
import { PlanError } from '../../core/errors/index.js';
import { parsePlan, planDepth, planOrder, type PlanProblem } from './index.js';

const N = 10_000;

function yamlPlan(taskLines: (i: number) => string): string {
  const lines = ['alt: 1', 'title: large', 'tasks:'];
  for (let i = 0; i < N; i += 1) lines.push(taskLines(i));
  return `${lines.join('\n')}\n`;
}

function problemsOf(text: string): PlanProblem[] {
  try {
    parsePlan(text, { path: 'large.alt.yaml' });
  } catch (error) {
    expect(error).toBeInstanceOf(PlanError);
    return (error as PlanError).details.problems as PlanProblem[];
  }
  throw new Error('expected problems');
}

// No timing assertions (see DESIGN.md): these prove that 10,000 tasks complete without
// blowing the stack or going quadratic enough to time out.
describe('plans of 10,000 tasks', () => {
  it('validates a wide plan: one root, everything else needs it', () => {
    const text = yamlPlan((i) =>
      i === 0
        ? '  - { id: root, kind: shell, argv: [echo, hi] }'
        : `  - { id: t${i}, kind: fs, op: write, path: "out/${i}.txt", needs: [root], content: "{{ tasks.root.output.stdout }}" }`,
    );
    const { plan } = parsePlan(text, { path: 'wide.alt.yaml' });
    expect(plan.tasks).toHaveLength(N);
    const order = planOrder(plan);
    expect(order[0]).toBe('root');
    expect(order).toHaveLength(N);
    expect(planDepth(plan)).toBe(2);
  });

  it('validates a deep plan: a chain, each task reading one two steps back', () => {
    const text = yamlPlan((i) =>
      i < 2
        ? `  - { id: t${i}, kind: transform, expr: "1"${i === 1 ? ', needs: [t0]' : ''} }`
        : `  - { id: t${i}, kind: approval, needs: [t${i - 1}], message: "{{ tasks.t${i - 2}.output }}", when: "tasks.t0.output = 1" }`,
    );
    const { plan } = parsePlan(text, { path: 'deep.alt.yaml' });
    expect(planDepth(plan)).toBe(N);
    expect(planOrder(plan).slice(0, 3)).toEqual(['t0', 't1', 't2']);
  });

  it('finds the one cycle through a 10,000-task chain', () => {
    const text = yamlPlan((i) => `  - { id: t${i}, kind: approval, message: m, needs: [t${(i + 1) % N}] }`);
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: 'tasks[0].needs[0]', line: 4 });
    expect(problems[0]?.message).toMatch(/^needs form a cycle: t0 → t1 → t2 → .* → t9999 → t0 /);
  });

  it('lists 10,000 problems at once', () => {
    const problems = problemsOf(yamlPlan((i) => `  - { id: t${i}, kind: approval, message: m, needs: [missing${i}] }`));
    expect(problems).toHaveLength(N);
    expect(problems[N - 1]).toMatchObject({ path: `tasks[${N - 1}].needs[0]`, line: N + 3 });
  });
});
