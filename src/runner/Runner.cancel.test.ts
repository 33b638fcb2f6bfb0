import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { describeDialects, type TestDatabase } from '../../test/support/postgres.js';
import { useTempDirs } from '../../test/support/tempDir.js';
import type { LocalAgentError } from '../core/errors/index.js';
import { RunStore } from '../store/index.js';
import type { Runner, RunnerOptions, RunnerTools } from './Runner.js';
import { hang, recordingTool } from './test-support/fakes.js';
import { deferred, harness, journal, plan, sh, type Harness } from './test-support/harness.js';

const tempDir = useTempDirs();
const closing: { close(): Promise<void> }[] = [];

/** The owner runs plans in `h.runner`; `other()` is a second "process": its own connection to the same database, its own owner. */
async function setupOn(
  database: TestDatabase,
  tools: RunnerTools,
  options: Partial<RunnerOptions> = {},
): Promise<{ h: Harness; other: (more?: Partial<RunnerOptions>) => Promise<Runner> }> {
  const h = await harness(await tempDir(), tools, { cancelCheckMs: 20, database, ...options });
  closing.push(h);
  const other = async (more: Partial<RunnerOptions> = {}): Promise<Runner> => {
    const store = await RunStore.open({ ...h.database });
    closing.push(store);
    return h.runnerWith({ store, owner: { pid: 424_242, host: 'other-terminal' }, ...more });
  };
  return { h, other };
}

/** A shell tool whose tasks wait until aborted; `started` resolves when the first one starts, `aborted` holds the reasons. */
function waitingShell(): { shell: ReturnType<typeof recordingTool<'shell'>>; started: Promise<void>; aborted: unknown[] } {
  const started = deferred();
  const aborted: unknown[] = [];
  const shell = recordingTool('shell', async (_task, ctx) => {
    started.resolve();
    try {
      return await hang(ctx);
    } catch (error) {
      aborted.push(error);
      throw error;
    }
  });
  return { shell, started: started.promise, aborted };
}

describeDialects('Runner (cancel)', ({ newDatabase }) => {
  const setup = async (tools: RunnerTools, options: Partial<RunnerOptions> = {}) => setupOn(await newDatabase(), tools, options);
  // Inside the suite, so the stores close before its database (a PostgreSQL schema) is dropped.
  afterEach(async () => {
    for (const c of closing.splice(0).reverse()) await c.close();
  });

  describe('cancel from another process', () => {
    it('asks the process that holds the lease through the journal; it stops the run, and cancel returns the result', async () => {
      const { shell, started, aborted } = waitingShell();
      const { h, other } = await setup({ shell });
      const { runId, done } = await h.runner.start(plan([sh('a'), sh('b', { needs: ['a'] })]), { workspace: h.workspace });
      await started;
      const canceller = await other();

      const cancelled = await canceller.cancel(runId, 'stopped from another terminal');

      expect(cancelled.status).toBe('cancelled');
      expect(cancelled.error).toEqual({ code: 'LA_CANCELLED', message: 'stopped from another terminal', category: 'user' });
      expect(cancelled.tasks.map((t) => t.status)).toEqual(['cancelled', 'cancelled']);
      expect(await done).toEqual(cancelled);
      expect(aborted).toHaveLength(1);
      expect((aborted[0] as LocalAgentError).code).toBe('LA_CANCELLED');
      expect(h.runner.activeRuns()).toEqual([]);
      expect((await h.store.getRun(runId))?.owner).toBeUndefined();
      expect(await h.runner.result(runId)).toEqual(cancelled);
      // One request, by the other process, in the owner's journal; every event has its own seq.
      const events = await h.store.events(runId);
      expect(events.filter((e) => e.type === 'run_cancel_requested').map((e) => e.data)).toEqual([{ reason: 'stopped from another terminal', pid: 424_242, host: 'other-terminal' }]);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect((await journal(h, runId)).slice(-3)).toEqual(['task_cancelled:a', 'task_cancelled:b', 'run_finished']);
    });

    it('throws LA_RUN_CANCEL_PENDING when the run has not stopped in time; the request applies when the run is next taken up', async () => {
      const shell = recordingTool('shell');
      const { h, other } = await setup({ shell });
      // A live process holds the lease but never looks at the journal (it hangs).
      const parsed = plan([sh('a')]);
      const runId = 'run-held';
      await h.store.createRun({ id: runId, planId: parsed.id, planHash: parsed.hash, plan: parsed.plan, title: parsed.plan.title, workspace: h.workspace, seed: 1, inputs: {}, concurrency: 1, status: 'running' });
      const lease = await h.store.acquire(runId, { pid: process.pid, host: hostname() });
      await h.store.append({ runId, type: 'run_started', data: { pid: process.pid, host: hostname(), concurrency: 1 } });
      const canceller = await other({ cancelWaitMs: 150 });

      const error = (await canceller.cancel(runId, 'not needed').catch((e: unknown) => e)) as LocalAgentError;

      expect(error.code).toBe('LA_RUN_CANCEL_PENDING');
      expect(error.category).toBe('transient');
      expect(error.details).toMatchObject({ run_id: runId, owner_pid: process.pid, owner_host: hostname() });
      expect(await journal(h, runId)).toEqual(['run_started', 'run_cancel_requested']);
      // That process goes away; whoever takes the run up next finds the request and runs nothing.
      await h.store.release(lease);
      const last = await (await h.runner.resume(runId)).done;
      expect(last.status).toBe('cancelled');
      expect(last.error?.message).toBe('not needed');
      expect(shell.calls).toEqual([]);
    });

    it('returns the final result when the run ends on its own before it notices the request', async () => {
      const release = deferred();
      const shell = recordingTool('shell', async (task) => {
        await release.promise;
        return { id: task.id };
      });
      const { h, other } = await setup({ shell }, { cancelCheckMs: 0 });
      const { runId, done } = await h.runner.start(plan([sh('a')]), { workspace: h.workspace });
      const canceller = await other({ cancelWaitMs: 5000 });

      const cancelling = canceller.cancel(runId);
      while (!(await journal(h, runId)).includes('run_cancel_requested')) await new Promise((resolve) => setTimeout(resolve, 5));
      release.resolve();

      const last = await cancelling;
      expect(last.status).toBe('success');
      expect(await done).toEqual(last);
    });
  });
});
