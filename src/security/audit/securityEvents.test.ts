import { describe, expect, it } from 'vitest';
import { approvalAuditEvent, policyDenialAuditEvent } from './securityEvents.js';

describe('security audit events', () => {
  it('records approval requests and decisions with who decided, and nothing else', () => {
    expect(approvalAuditEvent({ type: 'task_waiting_approval', runId: 'r1', taskId: 't', data: { message: 'Delete it?' } })).toEqual({
      category: 'approval',
      action: 'request',
      outcome: 'approval_required',
      actor: 'Agent:r1',
      subject: 'r1/t',
      reason: 'Delete it?',
    });
    expect(approvalAuditEvent({ type: 'task_approved', runId: 'r1', taskId: 't', data: { by: 'alice' } })).toMatchObject({ action: 'approve', actor: 'alice', outcome: 'success' });
    expect(approvalAuditEvent({ type: 'task_denied', runId: 'r1', taskId: 't', data: {} })).toMatchObject({ action: 'deny', actor: 'unknown' });
    expect(approvalAuditEvent({ type: 'task_succeeded', runId: 'r1', taskId: 't' })).toBeUndefined();
  });

  it('records a denial with the actor, the resource, the reason and the rules', () => {
    expect(
      policyDenialAuditEvent({
        request: { principal: { type: 'Agent', id: 'r1' }, action: 'shell.exec', resource: 'rm' },
        decision: { effect: 'deny', reason: 'would delete everything', rules: ['shell.deny.rm-root'] },
      }),
    ).toEqual({ category: 'policy', action: 'shell.exec', outcome: 'denied', actor: 'Agent:r1', subject: 'rm', reason: 'would delete everything', rules: ['shell.deny.rm-root'] });
  });
});
