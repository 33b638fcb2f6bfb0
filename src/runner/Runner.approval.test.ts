import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeDialects } from '../../test/support/postgres.js';
import type { LocalAgentError } from '../core/errors/index.js';
import { lastFilePath } from './index.js';
import { delay, needsApproval, recordingTool, type Shell } from './test-support/fakes.js';
import { deferred, journal, plan, sh, useHarnesses } from './test-support/harness.js';

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (error) {
    return (error as LocalAgentError).code;
  }
}

const reviewPlan = (onFailure?: 'continue') =>
  plan([
    sh('draft'),
    { id: 'review', kind: 'approval', needs: ['draft'], message: 'Publish {{ tasks.draft.output.id }}?', ...(onFailure ? { on_failure: onFailure } : {}) },
    sh('publish', { needs: ['review'], argv: ['post', '{{ tasks.review.output.approved_by }}'] }),
  ]);

describeDialects('Runner (approval)', ({ newDatabase }) => {
  const setup = useHarnesses(newDatabase);

  describe('approval', () => {
    it('pauses at an approval task, writes a snapshot, and goes on when approved', async () => {
      const shell = recordingTool('shell');
      const h = await setup({ shell });
      const { runId, done } = await h.runner.start(reviewPlan(), { workspace: h.workspace });
      const paused = await done;
      expect(paused.status).toBe('waiting_approval');
      expect(paused.tasks.map((t) => t.status)).toEqual(['succeeded', 'waiting_approval', 'pending']);
      expect(paused.tasks[1]?.approval).toMatchObject({ message: 'Publish draft?' });
      expect(paused.totals.waiting_approval).toBe(1);
      expect(JSON.parse(readFileSync(lastFilePath(h.runsDir, runId), 'utf8'))).toEqual(paused);
      const run = await h.store.getRun(runId);
      expect(run?.status).toBe('waiting_approval');
      expect(run?.owner).toBeUndefined();
      expect(h.runner.activeRuns()).toEqual([]);

      const resumed = await h.runner.approve(runId, 'review', 'alice');
      const last = await resumed.done;
      expect(last.status).toBe('success');
      expect(last.tasks[1]).toMatchObject({ status: 'succeeded', attempts: 2, approval: { decision: 'approved', by: 'alice' }, output: { approved_by: 'alice' } });
      expect((shell.calls.at(-1)?.task as Shell).argv).toEqual(['post', 'alice']);
      expect(shell.calls.map((c) => c.taskId)).toEqual(['draft', 'publish']);
      expect(await journal(h, runId)).toEqual([
        'run_started',
        'task_started:draft',
        'task_succeeded:draft',
        'task_started:review',
        'task_waiting_approval:review',
        'run_paused',
        'run_resumed',
        'task_approved:review',
        'task_started:review',
        'task_succeeded:review',
        'task_started:publish',
        'task_succeeded:publish',
        'run_finished',
      ]);
      expect(await h.runner.result(runId)).toEqual(last);
    });

    it('fails a denied task with LA_APPROVAL_DENIED, and applies its on_failure', async () => {
      const h = await setup({ shell: recordingTool('shell') });
      const stop = await h.runner.start(reviewPlan(), { workspace: h.workspace });
      await stop.done;
      const failed = await (await h.runner.deny(stop.runId, 'review', 'bob')).done;
      expect(failed.status).toBe('failure');
      expect(failed.error).toMatchObject({ code: 'LA_APPROVAL_DENIED', message: 'bob denied task "review".' });
      expect(failed.tasks.map((t) => t.status)).toEqual(['succeeded', 'failed', 'cancelled']);
      expect(failed.tasks[1]?.approval).toMatchObject({ decision: 'denied', by: 'bob' });

      const go = await h.runner.start(reviewPlan('continue'), { workspace: h.workspace });
      await go.done;
      const partial = await (await h.runner.deny(go.runId, 'review', 'bob')).done;
      expect(partial.status).toBe('partial');
      expect(partial.tasks.map((t) => t.status)).toEqual(['succeeded', 'failed', 'skipped']);
    });

    it('re-runs a tool that asked for approval with approved: true', async () => {
      const shell = recordingTool('shell', (task, ctx) => needsApproval(task, ctx));
      const h = await setup({ shell });
      const { runId, done } = await h.runner.start(plan([sh('rm')]), { workspace: h.workspace });
      const paused = await done;
      expect(paused.tasks[0]?.approval?.message).toBe('May rm go ahead?');
      const last = await (await h.runner.approve(runId, 'rm', 'carol')).done;
      expect(last.tasks[0]).toMatchObject({ status: 'succeeded', output: { approved: true } });
      expect(shell.calls.map((c) => c.approved)).toEqual([false, true]);
    });

    it('takes a decision into a run that is still running other tasks', async () => {
      const waiting = deferred();
      const shell = recordingTool('shell', async (task, ctx) => {
        if (task.id === 'slow') {
          await waiting.promise;
          await delay(20);
          return { id: 'slow' };
        }
        return task.id === 'gate' ? needsApproval(task, ctx) : { id: task.id };
      });
      const h = await setup({ shell });
      const first = await h.runner.start(plan([sh('gate'), sh('slow'), sh('after', { needs: ['gate'] })]), { workspace: h.workspace, concurrency: 2 });
      while ((await h.store.events(first.runId)).every((e) => e.type !== 'task_waiting_approval')) await delay(2);
      expect(await code(h.runner.approve(first.runId, 'slow', 'x'))).toBe('LA_TASK_NOT_WAITING');
      const handle = await h.runner.approve(first.runId, 'gate', 'dave');
      expect(handle.done).toBe(first.done);
      waiting.resolve();
      const last = await first.done;
      expect(last.status).toBe('success');
      expect(shell.calls.map((c) => `${c.taskId}:${String(c.approved)}`)).toEqual(['gate:false', 'slow:false', 'gate:true', 'after:false']);
    });

    it('refuses decisions that do not apply', async () => {
      const h = await setup({ shell: recordingTool('shell') });
      const { runId, done } = await h.runner.start(reviewPlan(), { workspace: h.workspace });
      await done;
      expect(await code(h.runner.approve(runId, 'draft', 'x'))).toBe('LA_TASK_NOT_WAITING');
      expect(await code(h.runner.approve(runId, 'nope', 'x'))).toBe('LA_TASK_NOT_WAITING');
      expect(await code(h.runner.approve(runId, 'review', ' '))).toBe('LA_INPUT_INVALID');
      expect(await code(h.runner.approve('run-none', 'review', 'x'))).toBe('LA_RUN_NOT_FOUND');
      // The refusals gave the lease back.
      expect((await h.store.getRun(runId))?.owner).toBeUndefined();
      await (await h.runner.approve(runId, 'review', 'x')).done;
      expect(await code(h.runner.deny(runId, 'review', 'x'))).toBe('LA_TASK_NOT_WAITING');
    });

    it('cancels a paused run', async () => {
      const h = await setup({ shell: recordingTool('shell') });
      const { runId, done } = await h.runner.start(reviewPlan(), { workspace: h.workspace });
      await done;
      const last = await h.runner.cancel(runId, 'not needed');
      expect(last.status).toBe('cancelled');
      expect(last.tasks.map((t) => t.status)).toEqual(['succeeded', 'cancelled', 'cancelled']);
      expect(existsSync(lastFilePath(h.runsDir, runId))).toBe(true);
    });
  });
});
