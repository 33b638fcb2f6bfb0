import type { z } from 'zod';
import { messagesFor, valueAt } from '../../core/config/describeProblems.js';
import { closestMatch } from '../../core/text/index.js';
import type { UnplacedProblem } from './PlanProblem.js';
import { ALT_VERSION, TASK_KINDS, altPlanSchema } from './schema.js';

/** The most tasks a plan may have; the schema enforces it, the message here says what to do. */
export const MAX_PLAN_TASKS = 10_000;

function shown(value: unknown): string {
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return Array.isArray(value) ? 'a list' : value !== null && typeof value === 'object' ? 'a mapping' : String(value);
}

/** Plan-specific wording for the issues where the generic config wording would be vague. */
function planMessage(issue: z.core.$ZodIssue, data: unknown): UnplacedProblem | undefined {
  const path = issue.path;
  const last = path[path.length - 1];
  const value = valueAt(data, path);
  if (issue.code === 'invalid_union' && issue.discriminator === 'kind') {
    const kinds = TASK_KINDS.join(', ');
    if (value === undefined) return { path, message: `is required: every task has a kind, one of ${kinds}.` };
    const suggestion = typeof value === 'string' ? closestMatch(value, TASK_KINDS) : undefined;
    return { path, message: `unknown task kind ${shown(value)}.${suggestion ? ` Did you mean "${suggestion}"?` : ''} The kinds are ${kinds}.` };
  }
  if (path.length === 1 && last === 'alt') {
    if (value === undefined) return { path, message: `is required: start the plan with \`alt: ${ALT_VERSION}\`, the format version.` };
    return {
      path,
      message: `this LocalAgent reads .alt version ${ALT_VERSION}, not ${shown(value)}. ${
        typeof value === 'number' && value > ALT_VERSION ? 'Upgrade LocalAgent to run this plan.' : `Set \`alt: ${ALT_VERSION}\`.`
      }`,
    };
  }
  if (path.length === 1 && last === 'tasks' && Array.isArray(value)) {
    if (issue.code === 'too_big') return { path, message: `has ${value.length} tasks; a plan may have at most ${MAX_PLAN_TASKS}. Split it into several plans.` };
    if (issue.code === 'too_small') return { path, message: 'is empty: a plan needs at least one task.' };
  }
  if (last === 'argv' && typeof value === 'string') {
    const words = value.split(/\s+/).filter(Boolean);
    return {
      path,
      message: `must be a list of the program and its arguments, never a shell string: write [${words.map((w) => JSON.stringify(w)).join(', ')}].`,
    };
  }
  if (issue.code === 'invalid_union' && (last === 'timeout' || last === 'backoff')) {
    return { path, message: `expected a duration such as 500ms, 30s, 5m or 1h, or a whole number of milliseconds, got ${shown(value)}.` };
  }
  if (issue.code === 'invalid_union' && last === 'retry') {
    return { path, message: `expected a number of retries (0–20) or { max_attempts, backoff }, got ${shown(value)}.` };
  }
  return undefined;
}

/** Every schema issue as a problem, in plan wording, pointing at the key for unknown keys. */
export function schemaProblems(issues: readonly z.core.$ZodIssue[], data: unknown): UnplacedProblem[] {
  return issues.flatMap((issue) => {
    const special = planMessage(issue, data);
    if (special) return [special];
    const atKey = issue.code === 'unrecognized_keys' || issue.code === 'invalid_key';
    return messagesFor(issue, altPlanSchema, data).map(({ path, message }) => ({ path, message, ...(atKey ? { key: true } : {}) }));
  });
}
