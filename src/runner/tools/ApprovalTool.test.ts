import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ApprovalRequiredError } from '../../core/errors/index.js';
import type { AltTask } from '../../formats/index.js';
import { ApprovalTool, BUILTIN_TOOL_KINDS, createTools, durationToMs } from './index.js';
import { FixedPolicy, toolContext } from './test-support/toolContext.js';

type ApprovalTask = Extract<AltTask, { kind: 'approval' }>;
const approvalTask: ApprovalTask = { id: 'review', kind: 'approval', message: 'Publish the release notes?' };
const ws = tmpdir();

describe('ApprovalTool', () => {
  it('pauses the run until approved, carrying the message', async () => {
    const error = await new ApprovalTool().run(approvalTask, toolContext(ws)).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ApprovalRequiredError);
    const pending = error as ApprovalRequiredError;
    expect(pending.code).toBe('LA_APPROVAL_REQUIRED');
    expect(pending.exitCode).toBe(4);
    expect(pending.details).toEqual({ message: 'Publish the release notes?' });
    expect(pending.message).toContain('Publish the release notes?');
  });

  it('returns who approved and when, from the context, or defaults', async () => {
    const at = '2025-06-01T12:00:00.000Z';
    const withRecord = { ...toolContext(ws, { approved: true }), approval: { by: 'alice', at } };
    expect(await new ApprovalTool().run(approvalTask, withRecord)).toEqual({ approved_by: 'alice', at });


    const fallback = new ApprovalTool({ clock: () => new Date(at) });
    expect(await fallback.run(approvalTask, toolContext(ws, { approved: true }))).toEqual({ approved_by: 'unknown', at });
    const now = await new ApprovalTool().run(approvalTask, toolContext(ws, { approved: true }));
    expect(new Date(now.at).toISOString()).toBe(now.at);
  });

  it('asks the policy first', async () => {
    const policy = new FixedPolicy('deny');
    await expect(new ApprovalTool().run(approvalTask, toolContext(ws, { policy }))).rejects.toMatchObject({ code: 'LA_POLICY_DENIED' });
    expect(policy.requests[0]).toMatchObject({ action: 'approval.request', resource: 'task-test' });
  });
});

describe('createTools', () => {
  it('builds one tool per built-in kind, each reporting decisions to the listener', async () => {
    const decisions: string[] = [];
    const tools = createTools({ onDecision: (request, decision) => void decisions.push(`${request.action}=${decision.effect}`), shell: { killGraceMs: 100 } });
    expect(Object.keys(tools).sort()).toEqual([...BUILTIN_TOOL_KINDS].sort());
    for (const kind of BUILTIN_TOOL_KINDS) expect(tools[kind].kind).toBe(kind);
    await tools.transform.run({ id: 'x', kind: 'transform', expr: '1' }, toolContext(ws));
    await tools.fs.run({ id: 'y', kind: 'fs', op: 'stat', path: '.' }, toolContext(ws));
    expect(decisions).toEqual(['transform.evaluate=allow', 'fs.read=allow']);
    expect(Object.isFrozen(createTools())).toBe(true);
  });
});

describe('durationToMs', () => {
  it('reads the .alt duration forms', () => {
    expect(durationToMs(undefined)).toBeUndefined();
    expect(durationToMs(1500)).toBe(1500);
    expect(durationToMs('250ms')).toBe(250);
    expect(durationToMs('30s')).toBe(30_000);
    expect(durationToMs('5m')).toBe(300_000);
    expect(durationToMs('1h')).toBe(3_600_000);
    expect(durationToMs('soon')).toBeUndefined();
  });
});
