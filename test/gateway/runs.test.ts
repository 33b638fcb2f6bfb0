import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/gatewayHarness.js';

/** Runs over HTTP: start, follow by server-sent events (resumable with Last-Event-ID), approve, read the .last. */
let h: Harness;

const APPROVAL_PLAN = {
  alt: 1,
  title: 'Ask, then compute',
  tasks: [
    { id: 'ask', kind: 'approval', message: 'May I compute?' },
    { id: 'calc', kind: 'transform', needs: ['ask'], expr: '6 * 7' },
  ],
};
const QUICK_PLAN = { alt: 1, title: 'Compute', tasks: [{ id: 'calc', kind: 'transform', expr: '"hello " & "api"' }] };

interface SseEvent {
  id: string;
  event: string;
  data: { seq: number; type: string; task_id: string | null; data: unknown };
}

/** Reads an event stream until it ends, or until `stopAfter` events; returns them. */
async function readEvents(response: Response, stopAfter = Number.POSITIVE_INFINITY): Promise<SseEvent[]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: SseEvent[] = [];
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
      if (fields.data === undefined) continue;
      events.push({ id: fields.id ?? '', event: fields.event ?? '', data: JSON.parse(fields.data) as SseEvent['data'] });
      if (events.length >= stopAfter) {
        await reader.cancel();
        return events;
      }
    }
  }
  return events;
}

async function startRun(plan: unknown, wait = false): Promise<Response> {
  return h.call('/v1/runs', { role: 'operator', method: 'POST', body: JSON.stringify({ plan, wait }) });
}

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('runs over HTTP', () => {
  it('starts a plan, answers 202 with where to follow it, and serves the .last when it ends', async () => {
    const started = await startRun(QUICK_PLAN);
    expect(started.status).toBe(202);
    const accepted = (await started.json()) as { run_id: string; result_url: string; events_url: string };
    expect(accepted.events_url).toBe(`/v1/runs/${accepted.run_id}/events`);
    const events = await readEvents(await h.call(accepted.events_url, { role: 'viewer' }));
    expect(events.at(-1)?.event).toBe('run_finished');
    const last = (await (await h.call(accepted.result_url, { role: 'viewer' })).json()) as { status: string; tasks: { id: string; output: unknown }[] };
    expect(last.status).toBe('success');
    expect(last.tasks.find((t) => t.id === 'calc')?.output).toBe('hello api');
    const list = (await (await h.call('/v1/runs?limit=5', { role: 'viewer' })).json()) as { runs: { run_id: string; status: string }[] };
    expect(list.runs.map((r) => r.run_id)).toContain(accepted.run_id);
  });

  it('waits for the .last with wait: true, and plans a command with the rules planner', async () => {
    const waited = await startRun(QUICK_PLAN, true);
    expect(waited.status, await waited.clone().text()).toBe(200);
    expect(((await waited.json()) as { status: string }).status).toBe('success');
    // A command is planned (rules) and run: reading a missing file fails the run, which is still a run.
    const fromCommand = await h.call('/v1/runs', { role: 'operator', method: 'POST', body: JSON.stringify({ command: 'read missing.txt', wait: true }) });
    expect(fromCommand.status).toBe(200);
    expect(((await fromCommand.json()) as { tasks: { kind: string }[] }).tasks[0]?.kind).toBe('fs');
    const both = await h.call('/v1/runs', { role: 'operator', method: 'POST', body: JSON.stringify({ command: 'x', plan: QUICK_PLAN }) });
    expect(both.status).toBe(400);
    const planned = await h.call('/v1/plans', { role: 'operator', method: 'POST', body: JSON.stringify({ command: 'read notes.txt and summarize it' }) });
    expect(planned.status).toBe(200);
    const body = (await planned.json()) as { plan: { tasks: { kind: string }[] }; planner: string };
    expect(body.planner).toBe('rules');
    expect(body.plan.tasks.length).toBeGreaterThan(0);
  });

  it('streams every state change, pauses for approval, and resumes the stream after Last-Event-ID', async () => {
    const accepted = (await (await startRun(APPROVAL_PLAN)).json()) as { run_id: string; events_url: string };
    // Up to the pause: started, the approval request, paused.
    const first = await readEvents(await h.call(accepted.events_url, { role: 'viewer' }), 3);
    expect(first.map((e) => e.event)).toEqual(['run_started', 'task_started', 'task_waiting_approval']);
    expect(first.map((e) => Number(e.id))).toEqual([1, 2, 3]);

    const summary = (await (await h.call(`/v1/runs/${accepted.run_id}`, { role: 'viewer' })).json()) as { status: string };
    expect(['running', 'waiting_approval']).toContain(summary.status);

    // A viewer cannot approve; an operator can, and is recorded as the approver.
    expect((await h.call(`/v1/runs/${accepted.run_id}/tasks/ask/approve`, { role: 'viewer', method: 'POST' })).status).toBe(403);
    const resumedStream = h.call(accepted.events_url, { role: 'viewer', headers: { 'last-event-id': '2' } });
    const approved = await h.call(`/v1/runs/${accepted.run_id}/tasks/ask/approve`, { role: 'operator', method: 'POST', body: JSON.stringify({ wait: true }) });
    expect(approved.status).toBe(200);
    const last = (await approved.json()) as { status: string; tasks: { id: string; output: unknown }[] };
    expect(last.status).toBe('success');
    expect(last.tasks.find((t) => t.id === 'calc')?.output).toBe(42);

    const rest = await readEvents(await resumedStream);
    expect(Number(rest[0]?.id)).toBe(3);
    const types = rest.map((e) => e.event);
    expect(types).toContain('task_approved');
    expect(types.at(-1)).toBe('run_finished');
    const approval = rest.find((e) => e.event === 'task_approved');
    expect(JSON.stringify(approval?.data.data)).toContain('test-operator');
    // Ids are the journal's sequence: strictly increasing, no gaps.
    const ids = rest.map((e) => Number(e.id));
    expect(ids).toEqual(ids.map((_, i) => 3 + i));
  });

  it('denies and cancels', async () => {
    const denied = (await (await startRun(APPROVAL_PLAN)).json()) as { run_id: string; events_url: string };
    await readEvents(await h.call(denied.events_url), 3);
    const deny = await h.call(`/v1/runs/${denied.run_id}/tasks/ask/deny`, { role: 'operator', method: 'POST', body: JSON.stringify({ wait: true }) });
    const deniedLast = (await deny.json()) as { status: string; tasks: { id: string; status: string; error?: { code: string } }[] };
    expect(deniedLast.tasks.find((t) => t.id === 'ask')?.error?.code).toBe('LA_APPROVAL_DENIED');

    const waiting = (await (await startRun(APPROVAL_PLAN)).json()) as { run_id: string; events_url: string };
    await readEvents(await h.call(waiting.events_url), 3);
    const cancelled = await h.call(`/v1/runs/${waiting.run_id}/cancel`, { role: 'operator', method: 'POST' });
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as { status: string }).status).toBe('cancelled');
    // Deciding on a task that no longer waits is a conflict, not a server error.
    const late = await h.call(`/v1/runs/${waiting.run_id}/tasks/ask/approve`, { role: 'operator', method: 'POST' });
    expect(late.status).toBe(409);
    expect(((await late.json()) as { code: string }).code).toBe('LA_TASK_NOT_WAITING');
  });

  it('answers 404 problem+json for a run that does not exist, on every run route', async () => {
    for (const [method, path] of [
      ['GET', '/v1/runs/run-20260101-000000-000000'],
      ['GET', '/v1/runs/run-20260101-000000-000000/events'],
      ['POST', '/v1/runs/run-20260101-000000-000000/cancel'],
      ['POST', '/v1/runs/run-20260101-000000-000000/resume'],
    ] as const) {
      const response = await h.call(path, { role: 'operator', method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(((await response.json()) as { code: string }).code).toBe('LA_RUN_NOT_FOUND');
    }
  });

  it('refuses an invalid plan with 422 and lists its problems; validate answers ok: false', async () => {
    const bad = { alt: 1, title: 'Broken', tasks: [{ id: 'x', kind: 'transform', needs: ['missing'], expr: '1' }] };
    const started = await startRun(bad);
    expect(started.status).toBe(422);
    const problem = (await started.json()) as { code: string; details: { problems: unknown[] } };
    expect(problem.code).toBe('LA_PLAN_INVALID');
    expect(problem.details.problems.length).toBeGreaterThan(0);
    const checked = (await (await h.call('/v1/plans/validate', { role: 'viewer', method: 'POST', body: JSON.stringify({ plan: bad }) })).json()) as { ok: boolean; problems: { path: string }[] };
    expect(checked.ok).toBe(false);
    expect(checked.problems[0]?.path).toContain('needs');
    const good = (await (await h.call('/v1/plans/validate', { role: 'viewer', method: 'POST', body: JSON.stringify({ text: 'alt: 1\ntitle: ok\ntasks:\n  - id: a\n    kind: transform\n    expr: "1"\n' }) })).json()) as { ok: boolean; hash: string };
    expect(good.ok).toBe(true);
    expect(good.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('counts runs, tasks and requests in /metrics', async () => {
    const text = await (await h.call('/metrics', { role: 'viewer' })).text();
    expect(text).toMatch(/localagent_http_requests_total\{method="POST",route="\/v1\/runs",status="202"\} \d+/);
    expect(text).toMatch(/localagent_http_request_duration_seconds_bucket\{/);
    expect(text).toMatch(/localagent_runs_total\{status="success"\} \d+/);
    expect(text).toMatch(/localagent_tasks_total\{status="succeeded"\} \d+/);
    expect(text).toMatch(/localagent_policy_decisions_total\{action="api.runs.start",effect="allow"\} \d+/);
    const ready = (await (await h.call('/readyz', { role: 'viewer' })).json()) as { status: string; checks: Record<string, string> };
    expect(ready).toEqual({ status: 'ok', checks: { database: 'ok', policy: 'ok' } });
  });
});
