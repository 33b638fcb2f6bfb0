import pg from 'pg';
import { expect, it, vi } from 'vitest';
import { describePostgres } from '../support/postgres.js';
import type { LocalAgentError } from '../../src/core/errors/index.js';
import { RunStore } from '../../src/store/index.js';
import { recordingTool } from '../../src/runner/test-support/fakes.js';
import { deferred, journal, plan, sh, useHarnesses } from '../../src/runner/test-support/harness.js';

/**
 * PostgreSQL going away in the middle of a run: the run stops with a transient LA_DB_UNAVAILABLE,
 * nothing committed is lost, and once the server answers again the run is resumed and finishes.
 */
describePostgres('a run when PostgreSQL goes away', ({ newDatabase }) => {
  const setup = useHarnesses(newDatabase);

  it('stops with LA_DB_UNAVAILABLE, then resumes and finishes once the server is back', async () => {
    const gate = deferred();
    const shell = recordingTool('shell', async (task) => {
      if (task.id === 'b') await gate.promise;
      return { id: task.id };
    });
    const h = await setup({ shell });
    const database = h.database as { url: string; schema: string };
    const { runId, done } = await h.runner.start(plan([sh('a'), sh('b', { needs: ['a'] }), sh('c', { needs: ['b'] })]), { workspace: h.workspace });
    await vi.waitFor(async () => expect(await journal(h, runId)).toContain('task_started:b'), { timeout: 10_000, interval: 5 });

    // A second session locks the run tables, so b's next journal write waits on it; then the server
    // ends that waiting connection, as a shutdown or a restart would.
    const outage = new pg.Client({ connectionString: database.url, options: `-c search_path=${database.schema}` });
    outage.on('error', () => undefined);
    await outage.connect();
    await outage.query('begin');
    await outage.query('lock table runs in exclusive mode');
    gate.resolve();
    let ended = 0;
    while (ended === 0) {
      const blocked = await outage.query<{ pid: number }>('select pid from pg_stat_activity where pg_backend_pid() = any(pg_blocking_pids(pid))');
      for (const row of blocked.rows) {
        await outage.query('select pg_terminate_backend($1)', [row.pid]);
        ended += 1;
      }
      if (ended === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const error = (await done.then(
      () => undefined,
      (e: unknown) => e,
    )) as LocalAgentError;
    expect(error.code).toBe('LA_DB_UNAVAILABLE');
    expect(error.category).toBe('transient');
    expect(error.suggestion).toContain('runs resume');
    // The server is back.
    await outage.query('rollback');
    await outage.end();

    expect(await journal(h, runId)).toEqual(['run_started', 'task_started:a', 'task_succeeded:a', 'task_started:b']);
    // The stopped run gives its lease up as soon as the server answers (were it unreachable for good,
    // the lease would lapse after 30 s, or at once when its process has exited).
    await vi.waitFor(async () => expect((await h.store.getRun(runId))?.owner).toBeUndefined(), { timeout: 10_000, interval: 10 });
    // `runs resume` from another process: its own pool, its own owner.
    const store = await RunStore.open({ ...h.database });
    try {
      const runner = h.runnerWith({ store });
      const last = await (await runner.resume(runId)).done;
      expect(last.status).toBe('success');
      expect(last.tasks.map((t) => [t.id, t.status])).toEqual([
        ['a', 'succeeded'],
        ['b', 'succeeded'],
        ['c', 'succeeded'],
      ]);
      const events = await store.events(runId);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    } finally {
      await store.close();
    }
  });
});
