import { describe, expect, it } from 'vitest';
import { describeDialects } from '../../test/support/postgres.js';
import type { AltTask } from '../formats/index.js';
import { delay, recordingTool, type Shell } from './test-support/fakes.js';
import { journal, plan, sh, useHarnesses } from './test-support/harness.js';

describeDialects('Runner (scheduling)', ({ newDatabase }) => {
  const setup = useHarnesses(newDatabase);

  describe('templates', () => {
    it('fills every text parameter from inputs and earlier outputs; other values as compact JSON', async () => {
      const shell = recordingTool('shell');
      const h = await setup({ shell });
      const parsed = plan(
        [
          sh('a', { argv: ['echo', 'hi {{ inputs.name }}'] }),
          sh('b', {
            needs: ['a'],
            title: 'B for {{inputs.name}}',
            argv: ['x', '{{ tasks.a.output.argv[1] }}', '{{ inputs.n }}', '{{ tasks.a.output }}', '\\{{ literal \\}}', '{{ inputs.list }}'],
            env: { V: '{{ inputs.name }}!' },
            stdin: 'n={{ inputs.n }}',
            timeout: '5s',
          }),
        ],
        { inputs: { name: 'world', n: 3, list: [1, 'two'] } },
      );
      const last = await (await h.runner.start(parsed, { workspace: h.workspace, inputs: { name: 'there' } })).done;
      expect(last.status).toBe('success');
      const b = shell.calls[1]?.task as Shell;
      expect(b.argv).toEqual(['x', 'hi there', '3', '{"id":"a","argv":["echo","hi there"]}', '{{ literal }}', '[1,"two"]']);
      expect(b.env).toEqual({ V: 'there!' });
      expect(b.stdin).toBe('n=3');
      expect(b.title).toBe('B for there');
      expect(b.timeout).toBe('5s');
      // The plan itself is not changed, and the .last keeps the title as written.
      expect((parsed.plan.tasks[1] as Shell).argv[1]).toBe('{{ tasks.a.output.argv[1] }}');
      expect(last.tasks[1]?.title).toBe('B for {{inputs.name}}');
    });

    it('fails a task whose template has no value, before its tool starts', async () => {
      const shell = recordingTool('shell');
      const h = await setup({ shell });
      const last = await (
        await h.runner.start(plan([sh('a'), sh('b', { needs: ['a'], argv: ['{{ tasks.a.output.nope }}'], on_failure: 'continue' }), sh('c', { needs: ['a'], argv: ['{{ tasks.a.output.argv[9] }}'], on_failure: 'continue' })]), {
          workspace: h.workspace,
        })
      ).done;
      expect(last.status).toBe('partial');
      expect(last.tasks[1]).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'LA_TEMPLATE_UNRESOLVED' } });
      expect(last.tasks[1]?.error?.message).toContain('tasks.a.output is an object, with no field "nope"');
      expect(last.tasks[2]?.error?.message).toContain('tasks.a.output.argv is a list of 2, with no item [9]');
      expect(shell.calls.map((c) => c.taskId)).toEqual(['a']);
    });
  });

  describe('scheduling', () => {
    it('starts ready tasks by priority, then plan order', async () => {
      const shell = recordingTool('shell');
      const h = await setup({ shell });
      await (
        await h.runner.start(plan([sh('low', { priority: -1 }), sh('mid'), sh('high', { priority: 5 }), sh('mid2'), sh('after', { needs: ['high'], priority: 10 })]), {
          workspace: h.workspace,
          concurrency: 1,
        })
      ).done;
      expect(shell.calls.map((c) => c.taskId)).toEqual(['high', 'after', 'mid', 'mid2', 'low']);
    });

    it('never runs more tasks at once than the concurrency', async () => {
      let running = 0;
      let most = 0;
      const shell = recordingTool('shell', async (task) => {
        running += 1;
        most = Math.max(most, running);
        await delay(15);
        running -= 1;
        return { id: task.id };
      });
      const h = await setup({ shell });
      const tasks = Array.from({ length: 10 }, (_, i) => sh(`t${i}`));
      const last = await (await h.runner.start(plan(tasks), { workspace: h.workspace, concurrency: 3 })).done;
      expect(last.totals.succeeded).toBe(10);
      expect(most).toBe(3);
      const wide = await (await h.runner.start(plan(tasks), { workspace: h.workspace, concurrency: 20 })).done;
      expect(wide.status).toBe('success');
      expect(most).toBe(10);
    });

    it('uses the runner default concurrency, and accepts a plan object it validates itself', async () => {
      const shell = recordingTool('shell');
      const h = await setup({ shell }, { defaultConcurrency: 1 });
      const { done } = await h.runner.start({ alt: 1, title: 'raw', tasks: [{ id: 'a', kind: 'shell', argv: ['x'] }] } as never, { workspace: h.workspace });
      expect((await done).status).toBe('success');
      await expect(h.runner.start({ alt: 1, title: 'bad', tasks: [{ id: 'a', kind: 'shell' }] } as never, { workspace: h.workspace })).rejects.toMatchObject({ code: 'LA_PLAN_INVALID' });
    });

    it('journals each change before its effect: a tool starts after its task_started, and after what it needs succeeded', async () => {
      const h = await setup({});
      const seen: Record<string, string[]> = {};
      const shell = recordingTool('shell', async (task, ctx) => {
        seen[task.id] = await journal(h, ctx.runId);
        return { id: task.id };
      });
      const h2 = h.runnerWith({ tools: { shell } });
      const { runId, done } = await h2.start(plan([sh('a'), sh('b', { needs: ['a'] })]), { workspace: h.workspace });
      await done;
      expect(seen.a).toEqual(['run_started', 'task_started:a']);
      expect(seen.b).toEqual(['run_started', 'task_started:a', 'task_succeeded:a', 'task_started:b']);
      expect(await journal(h, runId)).toEqual(['run_started', 'task_started:a', 'task_succeeded:a', 'task_started:b', 'task_succeeded:b', 'run_finished']);
    });

    it('tells a listener every committed event, even when another listener throws', async () => {
      const events: string[] = [];
      const warnings: string[] = [];
      const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (_: unknown, msg: string) => warnings.push(msg) };
      let calls = 0;
      const h = await setup(
        { shell: recordingTool('shell') },
        {
          logger,
          onEvent: (e) => {
            calls += 1;
            if (calls === 2) throw new Error('listener bug');
            events.push(`${e.seq}:${e.type}`);
          },
        },
      );
      const last = await (await h.runner.start(plan([sh('a')]), { workspace: h.workspace })).done;
      expect(last.status).toBe('success');
      expect(events).toEqual(['1:run_started', '3:task_succeeded', '4:run_finished']);
      expect(warnings).toEqual(['a run event listener threw']);
    });
  });

  describe('several runs', () => {
    it('runs plans side by side, each with its own journal', async () => {
      const shell = recordingTool('shell', async (task) => {
        await delay(5);
        return { id: task.id };
      });
      const h = await setup({ shell });
      const tasks = [sh('a'), sh('b', { needs: ['a'] }), sh('c')];
      const runs = await Promise.all([1, 2, 3].map((n) => h.runner.start(plan(tasks), { workspace: h.workspace, runId: `run-${n}` })));
      expect(h.runner.activeRuns().sort()).toEqual(['run-1', 'run-2', 'run-3']);
      for (const run of runs) expect((await run.done).status).toBe('success');
      for (const run of runs) expect((await h.store.events(run.runId)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      await expect(h.runner.start(plan(tasks), { workspace: h.workspace, runId: 'run-1' })).rejects.toMatchObject({ code: 'LA_INPUT_INVALID' });
    });
  });

  describe('conditions (when)', () => {
    it('skips a task whose condition is false, and the tasks that need it; scope holds only what the task needs', async () => {
      const shell = recordingTool('shell', (task) => (task.id === 'a' ? { flag: true } : { id: task.id }));
      const h = await setup({ shell });
      const last = await (
        await h.runner.start(
          plan(
            [
              sh('a'),
              sh('side'),
              sh('b', { needs: ['a'], when: 'tasks.a.output.flag' }),
              sh('c', { needs: ['a'], when: 'tasks.a.output.flag = false' }),
              sh('d', { needs: ['c'] }),
              sh('e', { needs: ['b', 'd'] }),
              sh('f', { when: 'inputs.go' }),
              sh('g', { needs: ['b'], when: '$count($keys(tasks)) = 2' }),
              sh('h', { when: '$number("x") > 1', on_failure: 'continue' }),
            ],
            { inputs: { go: 0 } },
          ),
          { workspace: h.workspace },
        )
      ).done;
      const by = Object.fromEntries(last.tasks.map((t) => [t.id, t]));
      expect(by.b?.status).toBe('succeeded');
      expect(by.c).toMatchObject({ status: 'skipped', skip_reason: 'condition', attempts: 0 });
      expect(by.d).toMatchObject({ status: 'skipped', skip_reason: 'dependency', skipped_because: 'c' });
      expect(by.e).toMatchObject({ status: 'skipped', skip_reason: 'dependency', skipped_because: 'd' });
      expect(by.f).toMatchObject({ status: 'skipped', skip_reason: 'condition' });
      expect(by.g?.status).toBe('succeeded');
      expect(by.h).toMatchObject({ status: 'failed', error: { code: 'LA_CONDITION_FAILED' } });
      expect(last.status).toBe('partial');
      expect(shell.calls.map((c) => c.taskId).sort()).toEqual(['a', 'b', 'g', 'side']);
      // A skipped task's scope for tools: only the tasks it needs, directly or not.
      expect(Object.keys(shell.calls.find((c) => c.taskId === 'g')?.scope.tasks ?? {}).sort()).toEqual(['a', 'b']);
    });
  });

  describe('tools', () => {
    it('records what a tool returned as JSON, and what it threw as a LocalAgentError', async () => {
      const shell = recordingTool('shell', (task) => {
        if (task.id === 'big') return { n: 1n };
        if (task.id === 'bug') throw new TypeError('oops');
        if (task.id === 'fn') return () => 1;
        if (task.id === 'date') return new Date('2025-01-01T00:00:00Z');
        if (task.id === 'num') return 42;
        return undefined;
      });
      const syncTool = { kind: 'transform' as const, run: (task: AltTask) => ({ sync: task.id }) as unknown as Promise<unknown> };
      const h = await setup({ shell, transform: syncTool });
      const last = await (
        await h.runner.start(
          plan([
            sh('big', { on_failure: 'continue' }),
            sh('bug', { on_failure: 'continue' }),
            sh('fn'),
            sh('date'),
            sh('num'),
            sh('none'),
            { id: 't', kind: 'transform', expr: '1' },
          ]),
          { workspace: h.workspace },
        )
      ).done;
      const by = Object.fromEntries(last.tasks.map((t) => [t.id, t]));
      expect(by.big?.error?.code).toBe('LA_TOOL_OUTPUT_INVALID');
      expect(by.bug?.error).toMatchObject({ code: 'LA_INTERNAL', message: 'Unexpected error: oops' });
      expect(by.fn?.output).toBeNull();
      expect(by.date?.output).toBe('2025-01-01T00:00:00.000Z');
      expect(by.num?.output).toBe(42);
      expect(by.none?.output).toBeNull();
      expect(by.t?.output).toEqual({ sync: 't' });
    });

    it('gives tools the run facts, and the scope lazily', async () => {
      const shell = recordingTool('shell', (task, ctx) => ({ run: ctx.run, workspace: ctx.workspace, attempt: ctx.attempt, inputs: ctx.scope.inputs, aborted: ctx.signal.aborted }));
      const h = await setup({ shell });
      const parsed = plan([sh('a')], { mode: 'chaos', chaos_level: 3, seed: 9, persona: 'researcher', language: 'en', inputs: { k: 'v' } });
      const last = await (await h.runner.start(parsed, { workspace: h.workspace })).done;
      expect(last.tasks[0]?.output).toEqual({
        run: { planId: parsed.id, planHash: parsed.hash, mode: 'chaos', seed: 9, persona: 'researcher', chaosLevel: 3, language: 'en' },
        workspace: h.workspace,
        attempt: 1,
        inputs: { k: 'v' },
        aborted: false,
      });
      expect(last).toMatchObject({ mode: 'chaos', chaos_level: 3, seed: 9, persona: 'researcher' });
    });
  });
});
