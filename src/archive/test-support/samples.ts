import type { AtlasRecord, LastResult } from '../../formats/index.js';
import { RunStore, type Store } from '../../store/index.js';

const HASH = 'c'.repeat(64);

/** A finished `.last`: an ai task that answered, a shell task with output, an http task that failed, one skipped. */
export function sampleLast(runId: string, options: { finishedAt?: string; status?: 'success' | 'partial' | 'failure' | 'cancelled' | 'waiting_approval'; model?: string; text?: string; title?: string } = {}): LastResult {
  const finished = options.finishedAt ?? '2026-03-01T10:00:02.000Z';
  const started = new Date(Date.parse(finished) - 2000).toISOString();
  const model = options.model ?? 'mock-fast';
  if (options.status === 'waiting_approval') {
    return {
      last: 1,
      run_id: runId,
      plan_id: 'alt-sample',
      plan_hash: HASH,
      title: options.title ?? 'Release notes',
      status: 'waiting_approval',
      success_rate: 0,
      mode: 'normal',
      seed: 1,
      workspace: '/w',
      timings: { started_at: started, finished_at: finished, duration_ms: 2000 },
      tasks: [{ id: 'ok', kind: 'approval', status: 'waiting_approval', on_failure: 'fail', attempts: 1, started_at: started }],
      artifacts: [],
      graph: { nodes: [{ id: 'ok', kind: 'approval', status: 'waiting_approval' }], edges: [] },
      totals: { tasks: 1, succeeded: 0, failed: 0, skipped: 0, cancelled: 0, waiting_approval: 1, pending: 0, attempts: 1, tokens_in: 0, tokens_out: 0, cost_usd: 0 },
    };
  }
  return {
    last: 1,
    run_id: runId,
    plan_id: 'alt-sample',
    plan_hash: HASH,
    title: options.title ?? 'Release notes',
    status: options.status ?? 'partial',
    success_rate: 0.5,
    mode: 'normal',
    seed: 1,
    workspace: '/w',
    error: { code: 'LA_NETWORK', message: 'hooks.example.com did not answer', category: 'transient' },
    timings: { started_at: started, finished_at: finished, duration_ms: 2000 },
    tasks: [
      {
        id: 'draft',
        kind: 'ai',
        title: 'Draft the notes',
        status: 'succeeded',
        on_failure: 'fail',
        attempts: 1,
        started_at: started,
        finished_at: finished,
        duration_ms: 1500,
        output: { text: options.text ?? 'Faster start-up and a quieter log', model, provider: 'mock', usage: { input_tokens: 40, output_tokens: 10 }, cost: 0.002, latency_ms: 1400, first_token_ms: 120 },
        model,
        tokens: { input: 40, output: 10 },
        cost_usd: 0.002,
      },
      { id: 'log', kind: 'shell', status: 'succeeded', on_failure: 'fail', attempts: 1, started_at: started, finished_at: finished, duration_ms: 40, output: { stdout: 'a1b2c3 quieter logging\n', stderr: '', exit_code: 0 } },
      {
        id: 'post',
        kind: 'http',
        status: 'failed',
        on_failure: 'continue',
        attempts: 2,
        started_at: started,
        finished_at: finished,
        duration_ms: 300,
        error: { code: 'LA_NETWORK', message: 'hooks.example.com did not answer', category: 'transient' },
      },
      { id: 'announce', kind: 'shell', status: 'skipped', on_failure: 'fail', attempts: 0, finished_at: finished, skip_reason: 'dependency', skipped_because: 'post' },
    ],
    artifacts: [],
    graph: {
      nodes: [
        { id: 'draft', kind: 'ai', status: 'succeeded' },
        { id: 'log', kind: 'shell', status: 'succeeded' },
        { id: 'post', kind: 'http', status: 'failed' },
        { id: 'announce', kind: 'shell', status: 'skipped' },
      ],
      edges: [{ from: 'post', to: 'announce', state: 'blocked' }],
    },
    totals: { tasks: 4, succeeded: 2, failed: 1, skipped: 1, cancelled: 0, waiting_approval: 0, pending: 0, attempts: 4, tokens_in: 40, tokens_out: 10, cost_usd: 0.002 },
  };
}

/** A plan for `sampleLast`, with a command. */
export const samplePlan = {
  alt: 1,
  title: 'Release notes',
  command: 'draft the release notes and post them to the team hook',
  tasks: [
    { id: 'draft', kind: 'ai', prompt: 'Draft notes', model: 'mock-fast' },
    { id: 'log', kind: 'shell', argv: ['git', 'log'] },
    { id: 'post', kind: 'http', url: 'https://hooks.example.com', method: 'POST' },
    { id: 'announce', kind: 'shell', argv: ['echo', 'done'], needs: ['post'] },
  ],
};

/** Stores a run and its result the way the runner does, so the archive can ingest it. */
export async function storeRun(store: Store, last: LastResult, plan: object = samplePlan): Promise<void> {
  const runs = new RunStore(store);
  await runs.createRun({ id: last.run_id, planId: last.plan_id, planHash: last.plan_hash, plan, title: last.title, workspace: '/w', seed: 1, inputs: {}, concurrency: 1 });
  await runs.saveResult(last.run_id, last);
  await runs.setStatus(last.run_id, last.status);
}

/** A valid record for import tests: `tasks` ai tasks on `model`, `failures` of them failed. */
export function sampleRecord(runId: string, options: { finishedAt?: string; model?: string; tasks?: number; failures?: number; command?: string; title?: string } = {}): AtlasRecord {
  const n = options.tasks ?? 2;
  const failures = options.failures ?? 0;
  const finished = options.finishedAt ?? '2026-03-01T10:00:02.000Z';
  const tasks = Array.from({ length: n }, (_, i) => {
    const ok = i >= failures;
    return {
      id: `t${i}`,
      kind: 'ai' as const,
      status: ok ? ('succeeded' as const) : ('failed' as const),
      success: ok,
      model: options.model ?? 'mock-fast',
      provider: 'mock',
      latency_ms: 100 * (i + 1),
      ...(ok ? { tokens: { input: 10, output: 5 }, cost_usd: 0.001 } : { error_code: 'LA_PROVIDER_UNAVAILABLE' }),
      attempts: 1,
    };
  });
  const succeeded = n - failures;
  return {
    atlas: 1,
    run_id: runId,
    plan_id: 'alt-imported',
    plan_hash: 'd'.repeat(64),
    title: options.title ?? 'Imported plan',
    ...(options.command !== undefined ? { command: options.command } : {}),
    status: failures === 0 ? 'success' : succeeded === 0 ? 'failure' : 'partial',
    mode: 'normal',
    success_rate: n === 0 ? 0 : succeeded / n,
    started_at: new Date(Date.parse(finished) - 1000).toISOString(),
    finished_at: finished,
    duration_ms: 1000,
    tasks,
    totals: { tasks: n, succeeded, failed: failures, tokens_in: 10 * succeeded, tokens_out: 5 * succeeded, cost_usd: 0.001 * succeeded },
    feedback: [],
  };
}
