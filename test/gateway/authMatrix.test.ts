import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ACTION_GROUPS } from '../../src/security/policy/index.js';
import type { RouteInfo } from '../../src/gateway/index.js';
import { startHarness, type Harness } from './support/gatewayHarness.js';

/**
 * Every route the server registered, called without a token (401), with a role the policy gives
 * too little (403) and with the least role that suffices (neither). The matrix comes from the
 * server's own route table and the policy's action groups, so a new route cannot be forgotten.
 */
let h: Harness;
let routes: RouteInfo[];

const ROLE_OF_GROUP: Record<string, 'viewer' | 'operator' | 'admin'> = { 'api.read': 'viewer', 'api.run': 'operator', 'api.approve': 'operator' };
const ROLES = ['viewer', 'operator', 'admin'] as const;

function leastRole(action: string): 'viewer' | 'operator' | 'admin' {
  const group = Object.entries(API_ACTION_GROUPS).find(([, actions]) => actions.includes(action))?.[0];
  if (group === undefined) throw new Error(`${action} is in no policy action group`);
  return ROLE_OF_GROUP[group] ?? 'admin';
}

/** A concrete path for a pattern: ids that are well formed but name nothing. */
function pathOf(url: string): string {
  return url.replace(':id', 'run-20260101-000000-abcdef').replace(':task', 'step1').replace(':provider', 'nokey').replace('*', 'index.html');
}

async function call(route: RouteInfo, token: string | null): Promise<Response> {
  const withBody = route.method === 'POST' || route.method === 'PUT';
  return h.call(pathOf(route.url), { method: route.method, token, ...(withBody ? { body: '{}' } : {}) });
}

beforeAll(async () => {
  h = await startHarness();
  routes = h.gateway.routes();
});
afterAll(async () => {
  await h?.close();
});

describe('the route table', () => {
  it('has every route of the API, each with an action the policy knows (or public)', async () => {
    const { KNOWN_ACTIONS } = await import('../../src/security/policy/index.js');
    const names = routes.map((r) => `${r.method} ${r.url}`);
    for (const expected of [
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
      'POST /v1/plans',
      'POST /v1/plans/validate',
      'POST /v1/runs',
      'GET /v1/runs',
      'GET /v1/runs/:id',
      'POST /v1/runs/:id/cancel',
      'POST /v1/runs/:id/resume',
      'POST /v1/runs/:id/tasks/:task/approve',
      'POST /v1/runs/:id/tasks/:task/deny',
      'GET /v1/runs/:id/events',
      'GET /v1/archive/search',
      'GET /v1/archive/stats',
      'POST /v1/runs/:id/feedback',
      'GET /v1/models',
      'GET /v1/models/health',
      'GET /v1/keys',
      'PUT /v1/keys/:provider',
      'POST /v1/keys/:provider/rotate',
      'DELETE /v1/keys/:provider',
      'GET /v1/policies',
      'POST /v1/policies/check',
      'GET /v1/audit',
      'POST /v1/chat/completions',
      'GET /v1/tokens',
      'POST /v1/tokens',
      'DELETE /v1/tokens/:id',
      'GET /openapi.json',
      'GET /docs',
    ]) {
      expect(names).toContain(expected);
    }
    for (const route of routes) {
      if (route.action !== 'public') expect(KNOWN_ACTIONS.has(route.action), `${route.method} ${route.url}: ${route.action}`).toBe(true);
    }
  });

  it('leaves only health and the API description open without a token', () => {
    const open = routes.filter((r) => r.action === 'public').map((r) => r.url);
    for (const url of open) expect(url === '/healthz' || url === '/openapi.json' || url.startsWith('/docs')).toBe(true);
  });
});

describe('authentication and roles on every route', () => {
  it('answers 401 problem+json without a token, and with a bad one', async () => {
    for (const route of routes.filter((r) => r.action !== 'public')) {
      for (const token of [null, 'la_tok_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) { // secret-scan: allow (fake value for a test or benchmark)
        const response = await call(route, token);
        expect(response.status, `${route.method} ${route.url} with ${token ? 'a bad token' : 'no token'}`).toBe(401);
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        const problem = (await response.json()) as { code: string; instance: string };
        expect(['LA_AUTH_REQUIRED', 'LA_AUTH_INVALID']).toContain(problem.code);
        expect(problem.instance).toBe(response.headers.get('x-request-id'));
      }
    }
  });

  it('answers 403 to a role below the one the action needs', async () => {
    let checked = 0;
    for (const route of routes.filter((r) => r.action !== 'public')) {
      const least = ROLES.indexOf(leastRole(route.action));
      for (const role of ROLES.slice(0, least)) {
        const response = await call(route, h.tokens[role]);
        expect(response.status, `${route.method} ${route.url} as ${role}`).toBe(403);
        expect(((await response.json()) as { code: string }).code).toBe('LA_API_FORBIDDEN');
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('lets the least sufficient role (and every higher one) through', async () => {
    for (const route of routes) {
      const roles = route.action === 'public' ? ROLES : ROLES.slice(ROLES.indexOf(leastRole(route.action)));
      for (const role of roles) {
        const response = await call(route, route.action === 'public' ? null : h.tokens[role]);
        // The request itself may be refused (an empty body, an id that names nothing), but not for who asks.
        expect([401, 403], `${route.method} ${route.url} as ${role}: ${response.status}`).not.toContain(response.status);
        expect(response.headers.get('x-request-id')).toBeTruthy();
        await response.body?.cancel();
      }
    }
  });

  it('writes refusals and each token\'s first use to the security audit log', async () => {
    const entries = await (await h.app.securityAudit()).readAll();
    expect(entries.some((e) => e.category === 'api' && e.action === 'authorize' && e.outcome === 'denied')).toBe(true);
    expect(entries.some((e) => e.category === 'auth' && e.outcome === 'failure')).toBe(true);
    expect(entries.filter((e) => e.category === 'token' && e.action === 'use').map((e) => e.token_name).sort()).toEqual(['test-admin', 'test-operator', 'test-viewer']);
    expect(JSON.stringify(entries)).not.toContain(h.tokens.admin);
  });
});
