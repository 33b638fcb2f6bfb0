import { describe, expect, it } from 'vitest';
import { describeDialects } from '../../test/support/postgres.js';
import { SystemClock, type Clock } from '../core/resilience/index.js';
import { delay, needsApproval, recordingTool } from './test-support/fakes.js';
import { deferred, journal, plan, sh, useHarnesses } from './test-support/harness.js';

const HOUR = 3_600_000;

/** Real waits, but "now" is `aheadMs` later than the wall clock: the approval request looks that old. */
function clockAhead(aheadMs: number): Clock {
  const real = new SystemClock();
  return { now: () => Date.now() + aheadMs, sleep: (ms, signal) => real.sleep(ms, signal) };
}

const reviewPlan = () =>
  plan([
    sh('draft'),
    { id: 'review', kind: 'approval', needs: ['draft'], message: 'Publish?', on_failure: 'continue' },
    sh('publish', { needs: ['review'] }),
  ]);

describeDialects('Runner (approval expiry)', ({ newDatabase }) => {
  const setup = useHarnesses(newDatabase);

  describe('approval timeout', () => {
    it('fails an overdue request with LA_APPROVAL_EXPIRED when someone approves it later', async () => {
      const h = await setup({ shell: recordingTool('shell') });
      const { runId, done } = await h.runner.start(reviewPlan(), { workspace: h.workspace });
      expect((await done).status).toBe('waiting_approval');

      const later = h.runnerWith({ approvalTimeoutMs: HOUR, clock: clockAhead(2 * HOUR) });
      const last = await (await later.approve(runId, 'review', 'alice')).done;
      expect(last.status).toBe('partial');
      expect(last.tasks.map((t) => t.status)).toEqual(['succeeded', 'failed', 'skipped']);
      expect(last.tasks[1]?.error).toMatchObject({ code: 'LA_APPROVAL_EXPIRED' });
      expect(last.tasks[1]?.error?.message).toContain('within 60 min');
      expect(last.tasks[1]?.approval).toMatchObject({ decision: 'denied', by: 'approval timeout' });
      // Alice's approval was not recorded: the stale request was never approved.
      expect(await journal(h, runId)).not.toContain('task_approved:review');
    });

    it('still approves within the timeout, and never expires when no timeout is set', async () => {
      const h = await setup({ shell: recordingTool('shell') });
      const first = await h.runner.start(reviewPlan(), { workspace: h.workspace });
      await first.done;
      const soon = h.runnerWith({ approvalTimeoutMs: HOUR, clock: clockAhead(HOUR / 2) });
      expect((await (await soon.approve(first.runId, 'review', 'alice')).done).status).toBe('success');

      const second = await h.runner.start(reviewPlan(), { workspace: h.workspace });
      await second.done;
      const forever = h.runnerWith({ clock: clockAhead(365 * 24 * HOUR) });
      expect((await (await forever.approve(second.runId, 'review', 'alice')).done).status).toBe('success');
    });

    it('expires overdue requests on resume and on a decision about another task', async () => {
      const h = await setup({ shell: recordingTool('shell') });
      const resumed = await h.runner.start(reviewPlan(), { workspace: h.workspace });
      await resumed.done;
      const later = h.runnerWith({ approvalTimeoutMs: HOUR, clock: clockAhead(2 * HOUR) });
      const last = await (await later.resume(resumed.runId)).done;
      expect(last.tasks[1]?.error?.code).toBe('LA_APPROVAL_EXPIRED');
      expect(last.status).toBe('partial');

      // Two requests; the person answers one of them late: both have expired.
      const two = plan([
        { id: 'a', kind: 'approval', message: 'A?', on_failure: 'continue' },
        { id: 'b', kind: 'approval', message: 'B?', on_failure: 'continue' },
      ]);
      const run = await h.runner.start(two, { workspace: h.workspace });
      await run.done;
      const both = await (await later.deny(run.runId, 'b', 'bob')).done;
      expect(both.tasks.map((t) => t.error?.code)).toEqual(['LA_APPROVAL_EXPIRED', 'LA_APPROVAL_EXPIRED']);
    });

    it('expires a request answered while the run is still running other tasks', async () => {
      const slowDone = deferred();
      const shell = recordingTool('shell', async (task, ctx) => {
        if (task.id === 'slow') {
          await slowDone.promise;
          return { id: 'slow' };
        }
        return task.id === 'gate' ? needsApproval(task, ctx) : { id: task.id };
      });
      const h = await setup({ shell }, { approvalTimeoutMs: HOUR, clock: clockAhead(2 * HOUR) });
      const run = await h.runner.start(plan([sh('gate', { on_failure: 'continue' }), sh('slow'), sh('after', { needs: ['gate'] })]), {
        workspace: h.workspace,
        concurrency: 2,
      });
      while ((await h.store.events(run.runId)).every((e) => e.type !== 'task_waiting_approval')) await delay(2);
      const handle = await h.runner.approve(run.runId, 'gate', 'dave');
      expect(handle.done).toBe(run.done);
      slowDone.resolve();
      const last = await run.done;
      expect(last.tasks.map((t) => `${t.id}:${t.status}`)).toEqual(['gate:failed', 'slow:succeeded', 'after:skipped']);
      expect(last.tasks[0]?.error?.code).toBe('LA_APPROVAL_EXPIRED');
      expect(shell.calls.map((c) => `${c.taskId}:${String(c.approved)}`)).toEqual(['gate:false', 'slow:false']);
    });
  });
});
