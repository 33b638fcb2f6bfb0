import { formatProblem } from '../../core/config/describeProblems.js';
import { PlanError } from '../../core/errors/index.js';

/** One thing wrong with a plan, located in its file. */
export interface PlanProblem {
  /** Where in the plan, written as in the file: `tasks[2].needs[0]`; empty for the plan as a whole. */
  path: string;
  /** 1-based line of the offending value (or key) in the file. */
  line: number;
  /** 1-based column. */
  column: number;
  message: string;
}

/**
 * A problem found before it is placed in the file: `path` is what it is about, `at` where to point
 * (defaults to `path`; a missing field points at its task), `key` to point at a key rather than its value.
 */
export interface UnplacedProblem {
  path: readonly PropertyKey[];
  at?: readonly PropertyKey[];
  key?: boolean;
  message: string;
}

/** `['tasks', 2, 'needs', 0]` → `tasks[2].needs[0]`. */
export function formatPlanPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

/** `file:line:col: path: message`, the shape editors and terminals turn into links. */
export function formatPlanProblem(file: string, problem: PlanProblem): string {
  return formatProblem({ source: file, line: problem.line, column: problem.column, path: problem.path, message: problem.message });
}

/** The error for a plan with problems: every problem in the message and in `details.problems`. */
export function planInvalidError(file: string, problems: readonly PlanProblem[], code = 'LA_PLAN_INVALID', suggestion?: string): PlanError {
  const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
  return new PlanError({
    code,
    message: `The plan ${file} has ${count}:\n${problems.map((p) => `  ${formatPlanProblem(file, p)}`).join('\n')}`,
    suggestion: suggestion ?? 'Fix what is listed above, then check again with `localagent validate <file>`. The format is described in docs/formats/alt.md.',
    details: { file, problems },
  });
}
