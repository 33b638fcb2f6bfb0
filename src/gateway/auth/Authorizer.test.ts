import { describe, expect, it } from 'vitest';
import { Metrics } from '../../core/metrics/index.js';
import type { Policy, PolicyRequest } from '../../security/policy/index.js';
import { Authorizer } from './Authorizer.js';
import type { Principal } from './Principal.js';

const viewer: Principal = { type: 'Token', id: 'abc', name: 'v', role: 'viewer' };

describe('Authorizer', () => {
  it('asks the policy once per principal, action and resource, and only allow passes', async () => {
    const asked: PolicyRequest[] = [];
    const policy: Policy = {
      decide: async (request) => {
        asked.push(request);
        return request.action === 'api.runs.list' ? { effect: 'allow', reason: 'ok', rules: ['r'] } : { effect: 'approve', reason: 'a person would have to', rules: [] };
      },
    };
    const denied: string[] = [];
    const authorizer = new Authorizer(async () => policy, new Metrics(), async (_p, action) => void denied.push(action), 2);
    await authorizer.check(viewer, 'api.runs.list', 'GET /v1/runs');
    await authorizer.check(viewer, 'api.runs.list', 'GET /v1/runs');
    expect(asked).toHaveLength(1);
    expect(asked[0]).toEqual({ principal: { type: 'Token', id: 'abc', roles: ['viewer'] }, action: 'api.runs.list', resource: 'GET /v1/runs', context: {} });
    await expect(authorizer.check(viewer, 'api.keys.list', 'GET /v1/keys')).rejects.toMatchObject({ code: 'LA_API_FORBIDDEN' });
    expect(denied).toEqual(['api.keys.list']);
    // Bounded: a third key starts the cache over.
    await authorizer.check(viewer, 'api.runs.list', 'Run::"x"');
    await authorizer.check(viewer, 'api.runs.list', 'GET /v1/runs');
    expect(asked).toHaveLength(4);
  });
});
