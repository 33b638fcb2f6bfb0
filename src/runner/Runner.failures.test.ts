import { describe, expect, it } from 'vitest';
import { describeDialects } from '../../test/support/postgres.js';
import type { LocalAgentError } from '../core/errors/index.js';
import { FakeClock } from '../core/resilience/test-support/FakeClock.js';
import { denied, flakyBehaviour, hang, hangForever, limits, recordingTool } from './test-support/fakes.js';
import { deferred, journal, plan, sh, useHarnesses } from './test-support/harness.js';

describeDialects('Runner (failures)', ({ newDatabase }) => {
  const setup = useHarnesses(newDatabase);

  describe('failure policies', () => {
    it('fail: stops the run, aborts running tasks, cancels pending ones', async () => {
      const reasons: string[] = [];
      const shell = recordingTool('shell', async (task, ctx) => {
        if (task.id === 'bad') {
          await new Promise((resolve) => setTimeout(resolve, 20));
          return denied(task);
        }
        try {
          return await hang(ctx);
        } catch (error) {
          reasons.push((error as LocalAgentError).code);
          throw error;
        }
      });
      const h = await setup({ shell });
      const { runId, done } = await h.runner.start(plan([sh('bad'), sh('slow'), sh('later'), sh('after', { needs: ['bad'] })]), { workspace: h.workspace, concurrency: 2 });
      const last = await done;
      expect(last.status).toBe('failure');
      expect(last.error).toMatchObject({ code: 'LA_POLICY_DENIED', message: 'no bad' });
      const by = Object.fromEntries(last.tasks.map((t) => [t.id, t]));
      expect(by.bad).toMatchObject({ status: 'failed', attempts: 1 });
      expect(by.slow).toMatchObject({ status: 'cancelled', attempts: 1, error: { code: 'LA_POLICY_DENIED' } });
      expect(by.later).toMatchObject({ status: 'cancelled', attempts: 0 });
      expect(by.after).toMatchObject({ status: 'cancelled', attempts: 0 });
      expect(reasons).toEqual(['LA_CANCELLED']);
      expect(shell.calls.map((c) => c.taskId)).toEqual(['bad', 'slow']);
      expect(await journal(h, runId)).toContain('task_cancelled:slow');
      expect((await h.store.getRun(runId))?.status).toBe('failure');
    });

    it('continue: skips what needs the failed task, runs the rest, ends partial', async () => {
      const shell = recordingTool('shell', (task) => (task.id === 'bad' ? denied(task) : { id: task.id }));
      const h = await setup({ shell });
      const last = await (
        await h.runner.start(plan([sh('bad', { on_failure: 'continue' }), sh('dep', { needs: ['bad'] }), sh('dep2', { needs: ['dep'] }), sh('other')]), { workspace: h.workspace })
      ).done;
      expect(last.status).toBe('partial');
      expect(last.error?.code).toBe('LA_POLICY_DENIED');
      expect(last.tasks.map((t) => t.status)).toEqual(['failed', 'skipped', 'skipped', 'succeeded']);
      expect(last.tasks[1]).toMatchObject({ skip_reason: 'dependency', skipped_because: 'bad' });
      expect(last.graph.edges).toEqual([
        { from: 'bad', to: 'dep', state: 'blocked' },
        { from: 'dep', to: 'dep2', state: 'blocked' },
      ]);
      expect(last.success_rate).toBe(0.25);
    });

    it('ignore: records the failure, and what needs it runs without its output', async () => {
      const shell = recordingTool('shell', (task) => (task.id === 'bad' ? denied(task) : { id: task.id }));
      const h = await setup({ shell });
      const last = await (
        await h.runner.start(
          plan([sh('bad', { on_failure: 'ignore' }), sh('dep', { needs: ['bad'] }), sh('reads', { needs: ['bad'], argv: ['{{ tasks.bad.output }}'], on_failure: 'continue' })]),
          { workspace: h.workspace },
        )
      ).done;
      expect(last.status).toBe('partial');
      expect(last.tasks.map((t) => t.status)).toEqual(['failed', 'succeeded', 'failed']);
      expect(last.tasks[0]?.error?.code).toBe('LA_POLICY_DENIED');
      expect(last.tasks[2]?.error).toMatchObject({ code: 'LA_TEMPLATE_UNRESOLVED' });
      expect(last.tasks[2]?.error?.message).toContain('task "bad" has no output');
      expect(last.graph.edges[0]).toEqual({ from: 'bad', to: 'dep', state: 'satisfied' });
      expect(shell.calls.find((c) => c.taskId === 'dep')?.scope.tasks).toEqual({});
    });
  });

  describe('retries', () => {
    it('retries transient failures with doubling backoff, then succeeds', async () => {
      const clock = new FakeClock('auto');
      const shell = recordingTool('shell', flakyBehaviour(2));
      const h = await setup({ shell }, { clock, retry: { base_delay_ms: 5, max_delay_ms: 1000, jitter: false } });
      const { runId, done } = await h.runner.start(plan([sh('a', { retry: { max_attempts: 2, backoff: '100ms' } }), sh('b', { retry: 1 })]), {
        workspace: h.workspace,
        concurrency: 1,
      });
      const last = await done;
      expect(last.tasks[0]).toMatchObject({ status: 'succeeded', attempts: 3, output: { id: 'a', attempt: 3 } });
      expect(last.tasks[1]).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'LA_NETWORK', message: 'flaky b attempt 2' } });
      // a: 100 then 200 (the task's backoff, doubled); b: the runner's base delay (5 ms in tests).
      expect(clock.sleeps).toEqual([100, 200, 5]);
      const events = await h.store.events(runId);
      expect(events.filter((e) => e.type === 'task_retrying').map((e) => [e.taskId, e.attempt, (e.data as { delay_ms: number }).delay_ms])).toEqual([
        ['a', 1, 100],
        ['a', 2, 200],
        ['b', 1, 5],
      ]);
      expect(last.totals.attempts).toBe(5);
    });

    it('does not retry a permanent failure', async () => {
      const shell = recordingTool('shell', (task) => denied(task));
      const h = await setup({ shell });
      const last = await (await h.runner.start(plan([sh('a', { retry: 5 })]), { workspace: h.workspace })).done;
      expect(last.tasks[0]).toMatchObject({ status: 'failed', attempts: 1 });
    });
  });

  describe('timeouts', () => {
    it('aborts a task past its timeout, and drops the result of a tool that ignores the abort', async () => {
      const seen: string[] = [];
      const shell = recordingTool('shell', async (task, ctx) => {
        if (task.id === 'stubborn') return hangForever();
        if (task.id === 'flaky' && ctx.attempt === 2) return { ok: true };
        try {
          return await hang(ctx);
        } catch (error) {
          seen.push(`${task.id}:${(error as LocalAgentError).code}`);
          throw error;
        }
      });
      const h = await setup({ shell });
      const last = await (
        await h.runner.start(
          plan([sh('polite', { timeout: '30ms', on_failure: 'continue' }), sh('stubborn', { timeout: 30, on_failure: 'continue' }), sh('flaky', { timeout: '30ms', retry: 1 })]),
          { workspace: h.workspace },
        )
      ).done;
      expect(last.tasks[0]).toMatchObject({ status: 'failed', error: { code: 'LA_TASK_TIMEOUT', category: 'transient' } });
      expect(last.tasks[0]?.error?.message).toBe('Task "polite" ran longer than its timeout of 30 ms and was stopped.');
      expect(last.tasks[1]).toMatchObject({ status: 'failed', error: { code: 'LA_TASK_TIMEOUT' } });
      expect(last.tasks[2]).toMatchObject({ status: 'succeeded', attempts: 2, output: { ok: true } });
      expect(seen.sort()).toEqual(['flaky:LA_TASK_TIMEOUT', 'polite:LA_TASK_TIMEOUT']);
    });

    it('uses the default timeout from the limits when the task has none', async () => {
      const shell = recordingTool('shell', (_task, ctx) => hang(ctx));
      const h = await setup({ shell }, { limits: { ...limits, defaultTimeoutMs: 25 } });
      const last = await (await h.runner.start(plan([sh('a')]), { workspace: h.workspace })).done;
      expect(last.tasks[0]?.error?.message).toContain('25 ms');
    });
  });

  describe('cancellation', () => {
    it('cancel: aborts the running tool through its signal and cancels the rest', async () => {
      const started = deferred();
      let reason: unknown;
      const shell = recordingTool('shell', async (_task, ctx) => {
        started.resolve();
        try {
          return await hang(ctx);
        } catch (error) {
          reason = error;
          throw error;
        }
      });
      const h = await setup({ shell });
      const { runId, done } = await h.runner.start(plan([sh('a'), sh('b'), sh('c', { needs: ['a'] })]), { workspace: h.workspace, concurrency: 1 });
      await started.promise;
      expect(h.runner.activeRuns()).toEqual([runId]);
      const cancelled = await h.runner.cancel(runId, 'the user pressed Ctrl-C');
      expect(await done).toEqual(cancelled);
      expect(cancelled.status).toBe('cancelled');
      expect(cancelled.error).toEqual({ code: 'LA_CANCELLED', message: 'the user pressed Ctrl-C', category: 'user' });
      expect(cancelled.tasks.map((t) => t.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
      expect((reason as LocalAgentError).code).toBe('LA_CANCELLED');
      expect(h.runner.activeRuns()).toEqual([]);
      // Cancelling again gives the same result.
      expect((await h.runner.cancel(runId)).status).toBe('cancelled');
      expect(await h.runner.result(runId)).toEqual(cancelled);
    });

    it('cancels through the AbortSignal given at start, even one already aborted', async () => {
      const started = deferred();
      const shell = recordingTool('shell', (_task, ctx) => {
        started.resolve();
        return hang(ctx);
      });
      const h = await setup({ shell });
      const controller = new AbortController();
      const { done } = await h.runner.start(plan([sh('a')]), { workspace: h.workspace, signal: controller.signal });
      await started.promise;
      controller.abort();
      expect((await done).status).toBe('cancelled');
      const { done: never } = await h.runner.start(plan([sh('b')]), { workspace: h.workspace, signal: AbortSignal.abort() });
      expect((await never).tasks[0]).toMatchObject({ status: 'cancelled', attempts: 0 });
      expect(shell.calls.map((c) => c.taskId)).toEqual(['a']);
    });

    it('cancels during a retry wait', async () => {
      const clock = new FakeClock('manual');
      const shell = recordingTool('shell', flakyBehaviour(5));
      const h = await setup({ shell }, { clock });
      const { runId, done } = await h.runner.start(plan([sh('a', { retry: 3 })]), { workspace: h.workspace });
      while (clock.waiting === 0) await new Promise((resolve) => setTimeout(resolve, 2));
      await h.runner.cancel(runId);
      const last = await done;
      expect(last.tasks[0]).toMatchObject({ status: 'cancelled', attempts: 1 });
    });
  });

  describe('when the run cannot go on', () => {
    it('rejects done when the journal fails, keeping what was committed', async () => {
      const h = await setup({});
      const shell = recordingTool('shell', async (task) => {
        if (task.id === 'b') await h.store.close();
        return { id: task.id };
      });
      const runner = h.runnerWith({ tools: { shell } });
      const { runId, done } = await runner.start(plan([sh('a'), sh('b', { needs: ['a'] })]), { workspace: h.workspace });
      await expect(done).rejects.toMatchObject({ code: 'LA_STORAGE' });
      expect(runner.activeRuns()).toEqual([]);
      const reopened = await (await import('../store/index.js')).RunStore.open({ ...h.database });
      expect((await reopened.events(runId)).map((e) => e.type)).toEqual(['run_started', 'task_started', 'task_succeeded', 'task_started']);
      await reopened.close();
    });

    it('stops when another process takes the lease over (heartbeat fails)', async () => {
      const started = deferred();
      let aborted: unknown;
      const shell = recordingTool('shell', async (_task, ctx) => {
        started.resolve();
        try {
          return await hang(ctx);
        } catch (error) {
          aborted = error;
          throw error;
        }
      });
      const h = await setup({ shell }, { heartbeatMs: 10 });
      const { runId, done } = await h.runner.start(plan([sh('a')]), { workspace: h.workspace });
      await started.promise;
      const first = (await h.store.getRun(runId))?.owner?.heartbeatAt as string;
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(((await h.store.getRun(runId))?.owner?.heartbeatAt ?? '') > first).toBe(true);
      const { RunStore } = await import('../store/index.js');
      const thief = await RunStore.open({ ...h.database, staleAfterMs: 0 });
      await thief.acquire(runId, { pid: 1, host: 'thief' });
      await expect(done).rejects.toMatchObject({ code: 'LA_RUN_LEASE_LOST' });
      expect((aborted as LocalAgentError).code).toBe('LA_RUN_LEASE_LOST');
      expect((await thief.getRun(runId))?.owner?.host).toBe('thief');
      await thief.close();
    });
  });

  describe('starting', () => {
    it('refuses what it cannot run, before creating a run', async () => {
      const h = await setup({ shell: recordingTool('shell') });
      const w = { workspace: h.workspace };
      const code = async (p: Promise<unknown>): Promise<string> => {
        try {
          await p;
          return 'ok';
        } catch (error) {
          return (error as LocalAgentError).code;
        }
      };
      expect(await code(h.runner.start(plan([{ id: 'o', kind: 'os', action: 'notify' }]), w))).toBe('LA_TOOL_MISSING');
      expect(await code(h.runner.start(plan([sh('a')]), { workspace: `${h.workspace}/nope` }))).toBe('LA_INPUT_INVALID');
      expect(await code(h.runner.start(plan([sh('a')]), { ...w, concurrency: 0 }))).toBe('LA_INPUT_INVALID');
      expect(await code(h.runner.start(plan([sh('a')], { inputs: { a: 1 } }), { ...w, inputs: { b: 2 } }))).toBe('LA_INPUT_INVALID');
      expect(await code(h.runner.start(plan([sh('a', { argv: ['{{ inputs.who }}'] })]), w))).toBe('LA_INPUT_INVALID');
      expect(await code(h.runner.start(plan([sh('a')]), { ...w, inputs: { n: 1n } }))).toBe('LA_INPUT_INVALID');
      expect(await h.store.listRuns()).toEqual([]);
      const error = await h.runner.start(plan([sh('a', { argv: ['{{ inputs.who }}', '{{ inputs.what }}'] })]), w).catch((e: unknown) => e as LocalAgentError);
      expect((error as LocalAgentError).message).toBe('The plan reads input "who", "what", which were not given.');
      expect(await code(h.runner.start(plan([sh('a', { argv: ['{{ inputs.who }}'] })]), { ...w, inputs: { who: 'me' } }))).toBe('ok');
    });
  });
});
