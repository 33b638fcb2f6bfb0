import type { AltPlan, AltTask } from '../formats/alt/index.js';

const PLAN_KEYS = ['alt', 'id', 'title', 'command', 'language', 'mode', 'chaos_level', 'seed', 'persona', 'priority', 'inputs', 'metadata', 'tasks'] as const;
const TASK_KEYS = [
  'id', 'title', 'kind', 'needs', 'when', 'timeout', 'retry', 'on_failure', 'priority',
  'op', 'path', 'to', 'content', 'argv', 'cwd', 'env', 'stdin', 'method', 'url', 'headers', 'body',
  'prompt', 'system', 'model', 'models', 'strategy', 'schema', 'temperature', 'max_tokens', 'expr', 'message', 'action', 'params',
  'confidence',
] as const;

function ordered<T extends object>(value: T, keys: readonly string[]): T {
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  // Keys this list does not know (a newer contract) keep their place at the end rather than vanish.
  for (const key of Object.keys(source)) if (!(key in out) && source[key] !== undefined) out[key] = source[key];
  return out as T;
}

/**
 * The plan with its keys in reading order (plan header, then tasks; per task: what it is, what it
 * needs, its parameters, then confidence), so YAML written from it reads top-down. Undefined
 * values are dropped.
 */
export function orderPlan(plan: AltPlan): AltPlan {
  const result = ordered(plan, PLAN_KEYS);
  result.tasks = plan.tasks.map((task) => ordered<AltTask>(task, TASK_KEYS));
  return result;
}

/** Joins system-prompt blocks with a blank line, skipping one already present (so re-applying is a no-op). */
export function addSystemBlock(existing: string | undefined, block: string): string {
  if (existing === undefined || existing.trim() === '') return block;
  return existing.includes(block) ? existing : `${existing}\n\n${block}`;
}

/** Removes a block `addSystemBlock` added; `undefined` when nothing is left. */
export function removeSystemBlock(existing: string | undefined, block: string): string | undefined {
  if (existing === undefined) return undefined;
  const left = existing.split(block).map((part) => part.trim()).filter((part) => part !== '').join('\n\n');
  return left === '' ? undefined : left;
}
