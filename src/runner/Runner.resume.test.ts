import { existsSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { describeDialects } from '../../test/support/postgres.js';
import type { LocalAgentError } from '../core/errors/index.js';
import type { ParsedPlan } from '../formats/index.js';
import type { Lease } from '../store/index.js';
import { lastFilePath, type JournalEvent } from './index.js';
import { recordingTool, type Shell } from './test-support/fakes.js';
import { deferred, journal, plan, sh, useHarnesses, type Harness } from './test-support/harness.js';


/** What a crashed process leaves: a run, its lease held by a process that is gone, and part of its journal. */
async function crashedRun(h: Harness, parsed: ParsedPlan, events: JournalEvent[], owner = { pid: 2 ** 22 + 4321, host: hostname() }): Promise<{ runId: string; lease: Lease }> {
  const runId = 'run-crashed';
  await h.store.createRun({ id: runId, planId: parsed.id, planHash: parsed.hash, plan: parsed.plan, title: parsed.plan.title, workspace: h.workspace, seed: 1, inputs: {}, concurrency: 2, status: 'running' });
  const lease = await h.store.acquire(runId, owner);
  for (const event of events) await h.store.append({ runId, type: event.type, taskId: 'taskId' in event ? event.taskId : undefined, attempt: 'attempt' in event ? event.attempt : undefined, data: 'data' in event ? event.data : undefined });
  return { runId, lease };
}

const started = (taskId: string, attempt = 1): JournalEvent => ({ type: 'task_started', taskId, attempt });
const succeeded = (taskId: string, output: unknown): JournalEvent => ({ type: 'task_succeeded', taskId, attempt: 1, data: { output } });
const runStarted: JournalEvent = { type: 'run_started', data: { pid: 1, host: 'h', concurrency: 2 } };

describeDialects('Runner (resume)', ({ newDatabase }) => {
  const setup = useHarnesses(newDatabase);

  describe('resume', () => {
    it('keeps finished tasks (never re-run), re-runs the one that was started, runs the rest', async () => {
      const shell = recordingTool('shell', (task) => ({ ran: task.id, argv: task.argv }));
      const h = await setup({ shell });
      const parsed = plan([sh('a'), sh('b', { needs: ['a'] }), sh('c', { needs: ['b'], argv: ['{{ tasks.a.output.ran }}', '{{ tasks.b.output.ran }}'] })]);
      const { runId } = await crashedRun(h, parsed, [runStarted, started('a'), succeeded('a', { ran: 'a-before-the-crash' }), started('b')]);
      const last = await (await h.runner.resume(runId)).done;
      expect(last.status).toBe('success');
      expect(shell.calls.map((c) => `${c.taskId}#${c.attempt}`)).toEqual(['b#2', 'c#1']);
      expect((shell.calls[1]?.task as Shell).argv).toEqual(['a-before-the-crash', 'b']);
      expect(last.tasks.map((t) => `${t.id}:${t.attempts}`)).toEqual(['a:1', 'b:2', 'c:1']);
      expect(last.tasks[0]?.output).toEqual({ ran: 'a-before-the-crash' });
      expect((await journal(h, runId)).slice(4, 6)).toEqual(['run_resumed', 'task_started:b']);
    });

    it('refuses with LA_RUN_BUSY while the owner is alive, and takes over once it is gone or silent', async () => {
      const h = await setup({ shell: recordingTool('shell') });
      const parsed = plan([sh('a')]);
      // Alive: this very process, as another runner.
      const { runId, lease } = await crashedRun(h, parsed, [runStarted], { pid: process.pid, host: hostname() });
      const error = await h.runner.resume(runId).catch((e: unknown) => e as LocalAgentError);
      expect((error as LocalAgentError).code).toBe('LA_RUN_BUSY');
      await h.store.release(lease);
      expect((await (await h.runner.resume(runId)).done).status).toBe('success');
      // Resuming a finished run gives its result without running anything.
      const again = await (await h.runner.resume(runId)).done;
      expect(again).toEqual(await h.runner.result(runId));
    });

    it('takes over a run whose owner on another host stopped renewing its lease', async () => {
      // The store's clock, moved by hand: a busy machine cannot make the lease look stale too early.
      let now = Date.now();
      const h = await setup({ shell: recordingTool('shell') }, { storeOptions: { staleAfterMs: 20_000, now: () => now } });
      const { runId } = await crashedRun(h, plan([sh('a')]), [runStarted], { pid: process.pid, host: 'another-host' });
      await expect(h.runner.resume(runId)).rejects.toMatchObject({ code: 'LA_RUN_BUSY' });
      now += 30_000;
      expect((await (await h.runner.resume(runId)).done).status).toBe('success');
    });

    it('returns the handle of a run already executing here', async () => {
      const go = deferred();
      const shell = recordingTool('shell', async (task) => {
        await go.promise;
        return { id: task.id };
      });
      const h = await setup({ shell });
      const first = await h.runner.start(plan([sh('a')]), { workspace: h.workspace });
      const second = await h.runner.resume(first.runId);
      expect(second.done).toBe(first.done);
      go.resolve();
      expect((await first.done).status).toBe('success');
    });

    it('finishes what a crash interrupted: a cancel, a failure, a result not yet written', async () => {
      const shell = recordingTool('shell');
      const h = await setup({ shell });

      const cancelled = await crashedRun(h, plan([sh('a'), sh('b')]), [runStarted, started('a'), { type: 'run_cancel_requested', data: { reason: 'stop' } }]);
      const c = await (await h.runner.resume(cancelled.runId)).done;
      expect(c.status).toBe('cancelled');
      expect(c.tasks.map((t) => t.status)).toEqual(['cancelled', 'cancelled']);

      await h.store.store.db.deleteFrom('run_events').execute();
      await h.store.store.db.deleteFrom('results').execute();
      await h.store.store.db.deleteFrom('runs').execute();
      const failed = await crashedRun(h, plan([sh('a'), sh('b')]), [runStarted, started('a'), { type: 'task_failed', taskId: 'a', attempt: 1, data: { error: { code: 'LA_NETWORK', message: 'down' } } }]);
      const f = await (await h.runner.resume(failed.runId)).done;
      expect(f.status).toBe('failure');
      expect(f.error).toEqual({ code: 'LA_NETWORK', message: 'down' });
      expect(shell.calls).toEqual([]);

      // The journal says finished, but the process died before the result was saved or written.
      await h.store.store.db.deleteFrom('results').execute();
      rmSync(lastFilePath(h.runsDir, failed.runId));
      const rebuilt = await (await h.runner.resume(failed.runId)).done;
      expect(rebuilt).toMatchObject({ status: 'failure', run_id: failed.runId });
      expect(JSON.parse(readFileSync(lastFilePath(h.runsDir, failed.runId), 'utf8'))).toEqual(rebuilt);
      expect(await h.runner.result(failed.runId)).toEqual(rebuilt);
      // Saved in the database but the file is gone: written again from what was saved.
      rmSync(lastFilePath(h.runsDir, failed.runId));
      expect(await (await h.runner.resume(failed.runId)).done).toEqual(rebuilt);
      expect(JSON.parse(readFileSync(lastFilePath(h.runsDir, failed.runId), 'utf8'))).toEqual(rebuilt);
      expect((await h.store.getRun(failed.runId))?.owner).toBeUndefined();
    });

    it('says when there is no such run', async () => {
      const h = await setup({});
      await expect(h.runner.resume('run-nope')).rejects.toMatchObject({ code: 'LA_RUN_NOT_FOUND' });
      await expect(h.runner.cancel('run-nope')).rejects.toMatchObject({ code: 'LA_RUN_NOT_FOUND' });
      expect(await h.runner.result('run-nope')).toBeUndefined();
      expect(existsSync(h.runsDir)).toBe(false);
    });

    it('refuses to resume a plan whose tools this runner lacks, and gives the lease back', async () => {
      const h = await setup({});
      const { runId } = await crashedRun(h, plan([sh('a')]), [runStarted]);
      await expect(h.runner.resume(runId, { concurrency: 3 })).rejects.toMatchObject({ code: 'LA_TOOL_MISSING' });
      expect((await h.store.getRun(runId))?.owner).toBeUndefined();
    });
  });
});
