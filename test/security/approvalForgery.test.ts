import { existsSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { useAttackSites, type AttackSite } from './support/attackHarness.js';

/**
 * A task behind an approval must run only after a person approved it. Neither `--yes`, nor an
 * answer piped into a non-terminal, nor asking about another task approves it. A local attacker
 * who can write the home CAN approve by writing the run journal: that is an accepted risk,
 * documented in docs/security/threat-model.md, and this test pins down what it looks like (the
 * security audit log then has the approval request but no approval by a person).
 */
const site = useAttackSites();

const GUARDED = [
  { id: 'ask', kind: 'approval', message: 'Write done.txt?' },
  { id: 'act', kind: 'fs', op: 'write', needs: ['ask'], path: 'done.txt', content: 'approved by {{ tasks.ask.output.approved_by }}' },
];

async function paused(s: AttackSite, extraArgs: string[] = [], input?: string): Promise<string> {
  const run = await s.la(['run', await s.plan(GUARDED), '--json', ...extraArgs], input !== undefined ? { input } : {});
  expect(run.code, run.stderr).toBe(4);
  const last = JSON.parse(run.stdout) as { run_id: string; status: string; tasks: { id: string; status: string }[] };
  expect(last.status).toBe('waiting_approval');
  expect(last.tasks.find((t) => t.id === 'act')?.status).toBe('pending');
  return last.run_id;
}

interface AuditEntry {
  category: string;
  action: string;
  outcome: string;
  subject?: string;
  actor?: string;
}

describe('approvals cannot be forged', { timeout: 120_000 }, () => {
  it('--yes does not approve, and neither does "y" piped into a non-terminal', async () => {
    const s = await site();
    await paused(s, ['--yes']);
    await paused(s, [], 'y\nyes\n');
    await paused(s, ['--yes'], 'y\n');
    expect(existsSync(join(s.ws, 'done.txt'))).toBe(false);
    expect(await s.outsideNow()).toEqual(s.outsideBefore);
  });

  it('resuming does not approve, approving another task is refused, a denied task stays denied', async () => {
    const s = await site();
    const runId = await paused(s);
    const resumed = await s.la(['runs', 'resume', runId, '--json']);
    expect(resumed.code).toBe(4);
    const wrongTask = await s.la(['runs', 'approve', runId, 'act', '--json']);
    expect(wrongTask.code).toBe(1);
    expect((JSON.parse(wrongTask.stderr) as { error: { code: string } }).error.code).toMatch(/^LA_/);
    const unknownRun = await s.la(['runs', 'approve', 'run-00000000-000000-000000', 'ask']);
    expect(unknownRun.code).toBe(1);
    expect(unknownRun.stderr).toContain('LA_RUN_NOT_FOUND');
    expect(existsSync(join(s.ws, 'done.txt'))).toBe(false);

    const denied = await s.la(['runs', 'deny', runId, 'ask']);
    expect(denied.code).toBe(3);
    const afterDenial = await s.la(['runs', 'approve', runId, 'ask']);
    expect(afterDenial.code).toBe(1);
    expect(existsSync(join(s.ws, 'done.txt'))).toBe(false);
    expect(await s.outsideNow()).toEqual(s.outsideBefore);
  });

  it('ACCEPTED RISK: whoever can write the database can approve; the audit log then lacks the approval', async () => {
    const s = await site();
    const runId = await paused(s);
    const db = new BetterSqlite3(join(s.home, 'localagent.db'));
    try {
      const { seq } = db.prepare('SELECT MAX(seq) AS seq FROM run_events WHERE run_id = ?').get(runId) as { seq: number };
      db.prepare('INSERT INTO run_events (run_id, seq, at, type, task_id, attempt, data) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        runId,
        seq + 1,
        new Date().toISOString(),
        'task_approved',
        'ask',
        null,
        JSON.stringify({ by: 'mallory' }),
      );
    } finally {
      db.close();
    }
    const resumed = await s.la(['runs', 'resume', runId, '--json']);
    // The journal is the run's source of truth and is not signed: the forged approval is obeyed.
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(existsSync(join(s.ws, 'done.txt'))).toBe(true);
    // What gives it away: the security audit log recorded the request, and no approval by anyone.
    const audit = JSON.parse((await s.la(['audit', 'show', '--json'])).stdout) as AuditEntry[];
    const forTask = audit.filter((e) => e.category === 'approval' && e.subject === `${runId}/ask`);
    expect(forTask.map((e) => e.action)).toEqual(['request']);
    // Still nothing outside the workspace.
    expect(await s.outsideNow()).toEqual(s.outsideBefore);
  });
});
