import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeDialects } from '../../test/support/postgres.js';
import { parseLast } from '../formats/index.js';
import { lastFilePath } from './index.js';
import { recordingTool } from './test-support/fakes.js';
import { plan, sh, useHarnesses } from './test-support/harness.js';

describeDialects('Runner (last)', ({ newDatabase }) => {
  const setup = useHarnesses(newDatabase);

  describe('the .last result', () => {
    it('records statuses, timings, AI usage and cost, artifacts, the graph and totals; valid against the schema', async () => {
      const ai = recordingTool('ai', (task) =>
        task.id === 'draft'
          ? { text: 'notes', model: 'm-large', usage: { input_tokens: 10, output_tokens: 4 }, cost: 0.002 }
          : { text: 'short', model: 'm-small', usage: { inputTokens: 5, outputTokens: 1 }, cost: 0.001 },
      );
      let workspace = '';
      const fs = recordingTool('fs', (task) => {
        if (task.op === 'move') return { path: join(workspace, 'out', 'moved.txt') };
        if (task.op === 'copy') return { path: '/elsewhere/x' };
        if (task.op === 'read') return { content: 'x' };
        return task.op === 'append' ? {} : { path: task.path };
      });
      const h = await setup({ ai, fs, shell: recordingTool('shell') });
      workspace = h.workspace;
      const parsed = plan(
        [
          { id: 'draft', kind: 'ai', prompt: 'write', title: 'Draft' },
          { id: 'sum', kind: 'ai', prompt: 'sum {{ tasks.draft.output.text }}', needs: ['draft'] },
          { id: 'save', kind: 'fs', op: 'write', path: 'out/notes.md', content: '{{ tasks.draft.output.text }}', needs: ['draft'] },
          { id: 'mv', kind: 'fs', op: 'move', path: 'out/notes.md', to: 'out/moved.txt', needs: ['save'] },
          { id: 'cp', kind: 'fs', op: 'copy', path: 'a', to: 'b' },
          { id: 'log', kind: 'fs', op: 'append', path: 'log.txt', content: 'x' },
          { id: 'rd', kind: 'fs', op: 'read', path: 'a' },
          sh('never', { when: 'false' }),
        ],
        { seed: 42 },
      );
      const { runId, done } = await h.runner.start(parsed, { workspace: h.workspace, concurrency: 2 });
      const last = await done;
      expect(parseLast(JSON.parse(readFileSync(lastFilePath(h.runsDir, runId), 'utf8')))).toEqual(last);
      expect(await h.store.getResult(runId)).toEqual(last);
      expect(last).toMatchObject({
        last: 1,
        run_id: runId,
        plan_id: parsed.id,
        plan_hash: parsed.hash,
        title: 'test plan',
        status: 'success',
        success_rate: 7 / 8,
        mode: 'normal',
        seed: 42,
        workspace: h.workspace,
      });
      expect(last.error).toBeUndefined();
      expect(last.tasks[0]).toMatchObject({ id: 'draft', kind: 'ai', title: 'Draft', status: 'succeeded', attempts: 1, model: 'm-large', tokens: { input: 10, output: 4 }, cost_usd: 0.002 });
      expect(last.tasks[1]).toMatchObject({ model: 'm-small', tokens: { input: 5, output: 1 }, cost_usd: 0.001 });
      expect(last.tasks[0]?.duration_ms).toBe(Date.parse(last.tasks[0]?.finished_at as string) - Date.parse(last.tasks[0]?.started_at as string));
      expect(last.totals).toEqual({ tasks: 8, succeeded: 7, failed: 0, skipped: 1, cancelled: 0, waiting_approval: 0, pending: 0, attempts: 7, tokens_in: 15, tokens_out: 5, cost_usd: 0.003 });
      expect(last.artifacts).toEqual([
        { path: 'out/notes.md', task: 'save', op: 'write' },
        { path: 'out/moved.txt', task: 'mv', op: 'move' },
        { path: '/elsewhere/x', task: 'cp', op: 'copy' },
        { path: 'log.txt', task: 'log', op: 'append' },
      ]);
      expect(last.graph.nodes.map((n) => `${n.id}:${n.kind}:${n.status}`)).toEqual([
        'draft:ai:succeeded',
        'sum:ai:succeeded',
        'save:fs:succeeded',
        'mv:fs:succeeded',
        'cp:fs:succeeded',
        'log:fs:succeeded',
        'rd:fs:succeeded',
        'never:shell:skipped',
      ]);
      expect(last.graph.edges).toEqual([
        { from: 'draft', to: 'sum', state: 'satisfied' },
        { from: 'draft', to: 'save', state: 'satisfied' },
        { from: 'save', to: 'mv', state: 'satisfied' },
      ]);
      expect(Date.parse(last.timings.finished_at) - Date.parse(last.timings.started_at)).toBe(last.timings.duration_ms);
      expect((await h.store.getRun(runId))?.status).toBe('success');
    });

    it('picks and records a seed when the plan has none', async () => {
      const h = await setup({ shell: recordingTool('shell') });
      const { runId, done } = await h.runner.start(plan([sh('a')]), { workspace: h.workspace });
      const last = await done;
      expect(Number.isInteger(last.seed)).toBe(true);
      expect((await h.store.getRun(runId))?.seed).toBe(last.seed);
      expect(runId).toMatch(/^run-\d{8}-\d{6}-[0-9a-f]{6}$/);
    });
  });
});
