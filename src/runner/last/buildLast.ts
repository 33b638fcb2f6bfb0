import { isAbsolute, relative, sep } from 'node:path';
import type { AltPlan, AltTask, LastArtifact, LastResult, LastRunStatus, LastTask, LastTaskStatus } from '../../formats/index.js';
import type { ErrorRecord } from '../journal/events.js';
import type { RunState, TaskState } from '../journal/RunState.js';

export interface LastFacts {
  runId: string;
  planId: string;
  planHash: string;
  plan: AltPlan;
  seed: number;
  workspace: string;
  status: LastRunStatus;
  /** ISO-8601: when the result is taken. */
  now: string;
}

const WRITE_OPS = new Set(['write', 'append', 'move', 'copy']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function firstNumber(record: Record<string, unknown>, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  }
  return undefined;
}

/**
 * Model, tokens and cost of an ai task, read from its output `{ text, model, usage, cost }`.
 * `usage` may name its counts as the orchestrator does (`inputTokens`/`outputTokens`) or as
 * providers do (`input_tokens`, `prompt_tokens`, …), so an adapter need not reshape them.
 */
function aiFacts(output: unknown): Pick<LastTask, 'model' | 'tokens' | 'cost_usd'> {
  if (!isRecord(output)) return {};
  const facts: Pick<LastTask, 'model' | 'tokens' | 'cost_usd'> = {};
  if (typeof output.model === 'string') facts.model = output.model;
  if (isRecord(output.usage)) {
    const input = firstNumber(output.usage, ['inputTokens', 'input_tokens', 'prompt_tokens', 'input']);
    const out = firstNumber(output.usage, ['outputTokens', 'output_tokens', 'completion_tokens', 'output']);
    if (input !== undefined || out !== undefined) facts.tokens = { input: Math.round(input ?? 0), output: Math.round(out ?? 0) };
  }
  const cost = firstNumber(output, ['cost', 'costUsd', 'cost_usd']);
  if (cost !== undefined) facts.cost_usd = cost;
  return facts;
}

/** A path a tool reported, relative to the workspace (as given when it already is). */
function workspaceRelative(workspace: string, path: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(workspace, path);
  return rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel) ? path : rel.split(sep).join('/');
}

function artifactOf(task: AltTask, t: TaskState, workspace: string): LastArtifact | undefined {
  if (task.kind !== 'fs' || t.status !== 'succeeded' || !WRITE_OPS.has(task.op)) return undefined;
  const reported = isRecord(t.output) && typeof t.output.path === 'string' ? t.output.path : undefined;
  // Without a reported path the plan's own one is the best record (its templates unfilled).
  const path = reported ?? ((task.op === 'move' || task.op === 'copy' ? task.to : task.path) as string);
  return { path: workspaceRelative(workspace, path), task: task.id, op: task.op };
}

function lastStatusOf(t: TaskState): LastTaskStatus {
  // A run's result is only taken when nothing runs; an interrupted task is one still to (re)run.
  return t.status === 'running' || t.status === 'retry_wait' ? 'pending' : t.status;
}

function errorOf(error: ErrorRecord | undefined): LastTask['error'] {
  return error ? { code: error.code, message: error.message, ...(error.category ? { category: error.category } : {}) } : undefined;
}

function ms(from: string | undefined, to: string | undefined): number | undefined {
  if (from === undefined || to === undefined) return undefined;
  return Math.max(0, Date.parse(to) - Date.parse(from));
}

/** The `.last` result of a run, from its state. Pure: the same state gives the same result. */
export function buildLast(state: RunState, facts: LastFacts): LastResult {
  const { plan } = state;
  const tasks: LastTask[] = [];
  const artifacts: LastArtifact[] = [];
  const counts = { succeeded: 0, failed: 0, skipped: 0, cancelled: 0, waiting_approval: 0, pending: 0 };
  let attempts = 0;
  let tokensIn = 0;
  let tokensOut = 0;
  let cost = 0;
  plan.tasks.forEach((task, i) => {
    const t = state.tasks[i] as TaskState;
    const status = lastStatusOf(t);
    counts[status] += 1;
    attempts += t.attempts;
    const entry: LastTask = { id: task.id, kind: task.kind, status, on_failure: task.on_failure ?? 'fail', attempts: t.attempts };
    if (task.title !== undefined) entry.title = task.title;
    if (t.startedAt !== undefined) entry.started_at = t.startedAt;
    if (t.finishedAt !== undefined && status !== 'pending' && status !== 'waiting_approval') {
      entry.finished_at = t.finishedAt;
      const duration = ms(t.startedAt, t.finishedAt);
      if (duration !== undefined) entry.duration_ms = duration;
    }
    if (status === 'succeeded') entry.output = t.output;
    if (status !== 'succeeded' && t.error) entry.error = errorOf(t.error);
    if (status === 'skipped') {
      if (t.skipReason) entry.skip_reason = t.skipReason;
      if (t.skippedBecause) entry.skipped_because = t.skippedBecause;
    }
    if (t.approval) {
      const { message, requestedAt, decision, by, at } = t.approval;
      entry.approval = {
        ...(message !== undefined ? { message } : {}),
        ...(requestedAt !== undefined ? { requested_at: requestedAt } : {}),
        ...(decision !== undefined ? { decision } : {}),
        ...(by !== undefined ? { by } : {}),
        ...(at !== undefined ? { at } : {}),
      };
    }
    if (task.kind === 'ai' && status === 'succeeded') {
      Object.assign(entry, aiFacts(t.output));
      tokensIn += entry.tokens?.input ?? 0;
      tokensOut += entry.tokens?.output ?? 0;
      cost += entry.cost_usd ?? 0;
    }
    const artifact = artifactOf(task, t, facts.workspace);
    if (artifact) artifacts.push(artifact);
    tasks.push(entry);
  });

  const edges: LastResult['graph']['edges'] = [];
  plan.tasks.forEach((task) => {
    for (const need of new Set(task.needs ?? [])) {
      const from = state.task(need);
      const fromTask = plan.tasks[state.indexById.get(need) as number];
      const edgeState =
        from === undefined || !['succeeded', 'failed', 'skipped', 'cancelled'].includes(from.status)
          ? 'pending'
          : from.status === 'succeeded' || (from.status === 'failed' && fromTask?.on_failure === 'ignore')
            ? 'satisfied'
            : 'blocked';
      edges.push({ from: need, to: task.id, state: edgeState });
    }
  });

  const startedAt = state.startedAt ?? facts.now;
  const finishedAt = facts.status === 'waiting_approval' ? facts.now : (state.finishedAt ?? facts.now);
  const total = tasks.length;
  const runError = state.stopping?.error ?? (facts.status === 'partial' ? tasks.find((t) => t.status === 'failed')?.error : undefined);
  const last: LastResult = {
    last: 1,
    run_id: facts.runId,
    plan_id: facts.planId,
    plan_hash: facts.planHash,
    title: plan.title,
    status: facts.status,
    success_rate: total === 0 ? 0 : counts.succeeded / total,
    mode: plan.mode,
    seed: facts.seed,
    workspace: facts.workspace,
    timings: { started_at: startedAt, finished_at: finishedAt, duration_ms: ms(startedAt, finishedAt) ?? 0 },
    tasks,
    artifacts,
    graph: { nodes: tasks.map((t) => ({ id: t.id, kind: t.kind, status: t.status })), edges },
    totals: { tasks: total, ...counts, attempts, tokens_in: tokensIn, tokens_out: tokensOut, cost_usd: cost },
  };
  if (plan.chaos_level !== undefined) last.chaos_level = plan.chaos_level;
  if (plan.persona !== undefined) last.persona = plan.persona;
  if (runError) last.error = errorOf(runError);
  return last;
}

/** How a run that has nothing left to do ended. */
export function finalStatusOf(state: RunState): 'success' | 'partial' | 'failure' | 'cancelled' {
  if (state.stopping) return state.stopping.reason === 'cancelled' ? 'cancelled' : 'failure';
  return state.tasks.some((t) => t.status === 'failed') ? 'partial' : 'success';
}
