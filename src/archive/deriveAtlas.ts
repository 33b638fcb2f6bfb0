import { ATLAS_VERSION, type AltPlan, type AtlasRecord, type AtlasRunStatus, type AtlasTask, type AtlasTaskStatus, type LastResult, type LastTask } from '../formats/index.js';

const FINAL_TASK: ReadonlySet<string> = new Set<AtlasTaskStatus>(['succeeded', 'failed', 'skipped', 'cancelled']);
const FINAL_RUN: ReadonlySet<string> = new Set<AtlasRunStatus>(['success', 'partial', 'failure', 'cancelled']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
}

/** True when a `.last` is a finished run's, the only kind the archive keeps. */
export function isFinishedLast(last: LastResult): last is LastResult & { status: AtlasRunStatus } {
  return FINAL_RUN.has(last.status);
}

/** The model a plan's ai task named, when it named exactly one (what a failed task was trying). */
function plannedModel(plan: AltPlan | undefined, taskId: string): string | undefined {
  const task = plan?.tasks.find((t) => t.id === taskId);
  if (task?.kind !== 'ai') return undefined;
  const model = task.model ?? (task.models?.length === 1 ? task.models[0] : undefined);
  // A templated name says nothing until filled in; an over-long one does not fit the record.
  return model !== undefined && model.length <= 128 && !model.includes('{{') ? model : undefined;
}

function atlasTask(task: LastTask, plan: AltPlan | undefined): AtlasTask {
  // A finished run has no pending or waiting task; were one to slip through, it did not run to the end.
  const status = (FINAL_TASK.has(task.status) ? task.status : 'cancelled') as AtlasTaskStatus;
  const output = isRecord(task.output) ? task.output : undefined;
  const model = task.model ?? (task.kind === 'ai' ? plannedModel(plan, task.id) : undefined);
  const provider = typeof output?.provider === 'string' && output.provider.length > 0 && output.provider.length <= 63 ? output.provider : undefined;
  const firstToken = count(output?.first_token_ms);
  return {
    id: task.id,
    kind: task.kind,
    ...(task.title !== undefined ? { title: task.title.slice(0, 200) } : {}),
    status,
    success: status === 'succeeded',
    ...(model !== undefined && model.length <= 128 ? { model } : {}),
    ...(provider !== undefined ? { provider } : {}),
    ...(task.duration_ms !== undefined ? { latency_ms: task.duration_ms } : {}),
    ...(firstToken !== undefined ? { first_token_ms: firstToken } : {}),
    ...(task.tokens ? { tokens: { input: task.tokens.input, output: task.tokens.output } } : {}),
    ...(task.cost_usd !== undefined ? { cost_usd: task.cost_usd } : {}),
    ...(task.error ? { error_code: task.error.code } : {}),
    attempts: task.attempts,
  };
}

/**
 * The `.atlas` record of a finished run (docs/formats/atlas.md): per task its kind, model,
 * provider, success, latency, time to first token, tokens, cost, error code and attempts, plus the
 * run's outcome and totals. `plan` (the run's `.alt`, when known) supplies the command and the model
 * a failed AI task was asked to use. Outputs and error messages are not copied: they stay in the
 * `.last`. Feedback starts empty; people add it later.
 */
export function deriveAtlas(last: LastResult & { status: AtlasRunStatus }, plan?: AltPlan): AtlasRecord {
  const tasks = last.tasks.map((t) => atlasTask(t, plan));
  const succeeded = tasks.filter((t) => t.status === 'succeeded').length;
  const command = plan?.command;
  return {
    atlas: ATLAS_VERSION,
    run_id: last.run_id,
    plan_id: last.plan_id,
    plan_hash: last.plan_hash,
    title: last.title.slice(0, 300),
    ...(command !== undefined && command.length > 0 ? { command } : {}),
    status: last.status,
    mode: last.mode,
    ...(last.chaos_level !== undefined ? { chaos_level: last.chaos_level } : {}),
    success_rate: tasks.length === 0 ? 0 : succeeded / tasks.length,
    started_at: last.timings.started_at,
    finished_at: last.timings.finished_at,
    duration_ms: last.timings.duration_ms,
    tasks,
    totals: {
      tasks: tasks.length,
      succeeded,
      failed: tasks.filter((t) => t.status === 'failed').length,
      tokens_in: last.totals.tokens_in,
      tokens_out: last.totals.tokens_out,
      cost_usd: last.totals.cost_usd,
    },
    feedback: [],
  };
}
