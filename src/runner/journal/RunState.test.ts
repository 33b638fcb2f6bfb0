import { describe, expect, it } from 'vitest';
import { validatePlan } from '../../formats/index.js';
import { fromStored, type TimedEvent } from './events.js';
import { RunState } from './RunState.js';

const at = '2025-01-01T00:00:00.000Z';
const { plan } = validatePlan({
  alt: 1,
  title: 't',
  tasks: [
    { id: 'a', kind: 'shell', argv: ['x'] },
    { id: 'b', kind: 'shell', argv: ['x'], on_failure: 'continue' },
    { id: 'c', kind: 'approval', message: 'ok?' },
  ],
});

describe('RunState', () => {
  it('rebuilds task states from the journal, counting terminal tasks', () => {
    const events: TimedEvent[] = [
      { type: 'run_started', at, data: { pid: 1, host: 'h', concurrency: 1 } },
      { type: 'task_started', at, taskId: 'a', attempt: 1 },
      { type: 'task_retrying', at, taskId: 'a', attempt: 1, data: { error: { code: 'LA_NETWORK', message: 'x' }, delay_ms: 5 } },
      { type: 'task_started', at, taskId: 'a', attempt: 2 },
      { type: 'task_succeeded', at, taskId: 'a', attempt: 2, data: { output: { ok: 1 } } },
      { type: 'task_failed', at, taskId: 'b', attempt: 1, data: { error: { code: 'LA_X', message: 'y' } } },
      { type: 'task_waiting_approval', at, taskId: 'c', attempt: 1, data: { message: 'ok?' } },
      { type: 'task_approved', at, taskId: 'c', data: { by: 'me' } },
      { type: 'task_skipped', at, taskId: 'nope', data: { reason: 'condition' } },
      { type: 'run_paused', at, data: { waiting: [] } },
      { type: 'run_resumed', at, data: { pid: 1, host: 'h', concurrency: 1 } },
    ];
    const state = RunState.replay(plan, events);
    expect(state.tasks[0]).toMatchObject({ status: 'succeeded', attempts: 2, failures: 1, output: { ok: 1 }, error: undefined });
    expect(state.tasks[1]).toMatchObject({ status: 'failed', error: { code: 'LA_X' } });
    expect(state.tasks[2]).toMatchObject({ status: 'pending', approved: true, approval: { message: 'ok?', requestedAt: at, decision: 'approved', by: 'me', at } });
    expect(state.stopping).toBeUndefined();
    expect(state.terminalCount).toBe(2);
    expect(state.allTerminal).toBe(false);
    state.apply({ type: 'task_denied', taskId: 'c', data: { by: 'me', error: { code: 'LA_APPROVAL_DENIED', message: 'no' } } }, at);
    expect(state.stopping).toEqual({ reason: 'failure', taskId: 'c', error: { code: 'LA_APPROVAL_DENIED', message: 'no' } });
    state.apply({ type: 'run_cancel_requested', data: { reason: 'late' } }, at);
    expect(state.stopping?.reason).toBe('failure');
    expect(state.allTerminal).toBe(true);
    state.apply({ type: 'run_finished', data: { status: 'failure' } }, at);
    expect(state.finalStatus).toBe('failure');
  });

  it('reads stored rows back as events, ignoring types it does not know', () => {
    expect(fromStored({ type: 'task_started', at, taskId: 'a', attempt: 1, data: undefined })).toEqual({ type: 'task_started', at, taskId: 'a', attempt: 1 });
    expect(fromStored({ type: 'run_paused', at, data: { waiting: ['c'] } })).toEqual({ type: 'run_paused', at, data: { waiting: ['c'] } });
    expect(fromStored({ type: 'from_the_future', at, data: 1 })).toBeUndefined();
  });
});
