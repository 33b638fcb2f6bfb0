import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockLlmServer } from '../../src/devtools/mock-llm/index.js';
import { MOCK_SCRIPT, startHarness, startMockLlm, type Harness } from './support/gatewayHarness.js';

/** Keys, tokens, policies, the audit log, the archive and model health over HTTP. */
let h: Harness;
let mock: MockLlmServer;
const KEY = 'sk-test-0123456789abcdef0123456789'; // secret-scan: allow (fake value for a test or benchmark)
const NEW_KEY = 'sk-test-fedcba9876543210fedcba9876'; // secret-scan: allow (fake value for a test or benchmark)

beforeAll(async () => {
  mock = await startMockLlm({ script: MOCK_SCRIPT });
  h = await startHarness({
    mock,
    config: 'keys:\n  backend: file\n',
    gateway: { getMasterPassword: async () => Buffer.from('a long test master password') },
  });
});
afterAll(async () => {
  await h?.close();
  await mock?.close();
});

describe('keys', () => {
  it('stores, lists (masked), rotates and deletes a key; the key never comes back', async () => {
    const stored = await h.call('/v1/keys/mock', { method: 'PUT', body: JSON.stringify({ key: KEY, validate: false }) });
    expect(stored.status).toBe(200);
    const storedText = await stored.text();
    expect(storedText).not.toContain(KEY);
    expect(JSON.parse(storedText)).toMatchObject({ provider: 'mock', backend: 'file' });

    const listed = await h.call('/v1/keys');
    const listedText = await listed.text();
    expect(listedText).not.toContain(KEY);
    const entry = (JSON.parse(listedText) as { keys: { provider: string; source: string; masked: string; fingerprint: string }[] }).keys.find((k) => k.provider === 'mock');
    expect(entry).toMatchObject({ source: 'file' });
    expect(entry?.masked).toMatch(/…/);

    const rotated = await h.call('/v1/keys/mock/rotate', { method: 'POST', body: JSON.stringify({ key: NEW_KEY, validate: false }) });
    expect(rotated.status).toBe(200);
    expect(((await rotated.json()) as { fingerprint: string }).fingerprint).not.toBe(entry?.fingerprint);

    // A key that fails the format check is refused before it is stored.
    const bad = await h.call('/v1/keys/openai', { method: 'PUT', body: JSON.stringify({ key: 'not a key', validate: false }) });
    expect(bad.status).toBe(400);
    expect(await bad.text()).not.toContain('not a key');

    const deleted = await h.call('/v1/keys/mock', { method: 'DELETE' });
    expect(((await deleted.json()) as { removed_from: string[] }).removed_from).toEqual(['file']);
    expect((await h.call('/v1/keys/mock', { method: 'DELETE' })).status).toBe(404);
  });

  it('checks a key against the provider when asked', async () => {
    const checked = await h.call('/v1/keys/mock', { method: 'PUT', body: JSON.stringify({ key: KEY }) });
    expect(checked.status).toBe(200);
    expect(mock.requests.some((r) => r.path.endsWith('/models'))).toBe(true);
  });
});

describe('tokens over the API', () => {
  it('creates a token that works at once, and revokes it so it stops at once', async () => {
    const created = await h.call('/v1/tokens', { method: 'POST', body: JSON.stringify({ name: 'dashboard', role: 'viewer', expires: '1d' }) });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { token: string; id: string; created_by: string; expires_at: string };
    expect(body.created_by).toContain('test-admin');
    expect((await h.call('/v1/runs', { token: body.token })).status).toBe(200);
    const listed = await (await h.call('/v1/tokens')).text();
    expect(listed).toContain('dashboard');
    expect(listed).not.toContain(body.token);
    expect((await h.call(`/v1/tokens/${body.id}`, { method: 'DELETE' })).status).toBe(200);
    const after = await h.call('/v1/runs', { token: body.token });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { code: string }).code).toBe('LA_AUTH_INVALID');
    expect((await h.call('/v1/tokens/dashboard', { method: 'DELETE' })).status).toBe(404);
    const withRevoked = (await (await h.call('/v1/tokens?include_revoked=true')).json()) as { tokens: { name: string; revoked_at: string | null }[] };
    expect(withRevoked.tokens.find((t) => t.name === 'dashboard')?.revoked_at).not.toBeNull();
    expect((await h.call('/v1/tokens', { method: 'POST', body: JSON.stringify({ name: 'x', role: 'viewer', expires: 'soon' }) })).status).toBe(400);
  });
});

describe('policies and the audit log', () => {
  it('lists the policies in force and explains a decision', async () => {
    const policies = (await (await h.call('/v1/policies')).json()) as { sha256: string; policies: { id: string; origin: string }[] };
    expect(policies.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(policies.policies.map((p) => p.id)).toEqual(expect.arrayContaining(['api.allow.viewer', 'api.allow.operator', 'api.allow.admin']));
    const check = await h.call('/v1/policies/check', { method: 'POST', body: JSON.stringify({ action: 'shell.exec', resource: 'rm', context: { argv: ['rm', '-rf', '/'], workspace: h.workspace } }) });
    const explained = (await check.json()) as { decision: { effect: string; rules: string[] }; cedar: { action: string } };
    expect(explained.decision.effect).toBe('deny');
    expect(explained.cedar.action).toBe('Action::"shell.exec"');
    const api = (await (await h.call('/v1/policies/check', { method: 'POST', body: JSON.stringify({ principal: { type: 'Token', id: 'x', roles: ['viewer'] }, action: 'api.runs.start', resource: 'POST /v1/runs' }) })).json()) as { decision: { effect: string } };
    expect(api.decision.effect).toBe('deny');
  });

  it('shows the newest audit entries, filtered by category', async () => {
    const all = (await (await h.call('/v1/audit?limit=500', { role: 'viewer' })).json()) as { entries: { category: string; seq: number }[] };
    expect(all.entries.length).toBeGreaterThan(0);
    const tokens = (await (await h.call('/v1/audit?category=token&limit=2', { role: 'viewer' })).json()) as { entries: { category: string; seq: number }[] };
    expect(tokens.entries.length).toBeLessThanOrEqual(2);
    expect(tokens.entries.every((e) => e.category === 'token')).toBe(true);
    expect(tokens.entries.map((e) => e.seq)).toEqual([...tokens.entries.map((e) => e.seq)].sort((a, b) => a - b));
    expect((await h.call('/v1/audit?since=yesterday', { role: 'viewer' })).status).toBe(400);
  });
});

describe('the archive', () => {
  it('searches finished runs, gives statistics, and takes feedback', async () => {
    const plan = { alt: 1, title: 'Archive me please', tasks: [{ id: 'calc', kind: 'transform', expr: '1 + 1' }] };
    const last = (await (await h.call('/v1/runs', { role: 'operator', method: 'POST', body: JSON.stringify({ plan, wait: true }) })).json()) as { run_id: string; status: string };
    expect(last.status).toBe('success');
    const found = (await (await h.call('/v1/archive/search?q=archive', { role: 'viewer' })).json()) as { hits: { run_id: string }[] };
    expect(found.hits.map((hit) => hit.run_id)).toContain(last.run_id);
    const stats = (await (await h.call('/v1/archive/stats?by=kind&since=30d', { role: 'viewer' })).json()) as { by: string; rows: { count: number }[] };
    expect(stats.by).toBe('kind');
    expect(stats.rows.length).toBeGreaterThan(0);
    const rated = await h.call(`/v1/runs/${last.run_id}/feedback`, { role: 'operator', method: 'POST', body: JSON.stringify({ rating: 5, comment: 'spot on', task: 'calc' }) });
    expect(rated.status).toBe(200);
    expect(await rated.json()).toMatchObject({ run_id: last.run_id, ratings: 1, mean_rating: 5 });
    expect((await h.call(`/v1/runs/${last.run_id}/feedback`, { role: 'operator', method: 'POST', body: JSON.stringify({ rating: 9 }) })).status).toBe(400);
    expect((await h.call('/v1/archive/search?since=someday', { role: 'viewer' })).status).toBe(400);
  });
});

describe('model health', () => {
  it('asks each usable provider and reports its breaker', async () => {
    const health = (await (await h.call('/v1/models/health?timeout_ms=2000', { role: 'viewer' })).json()) as { ok: boolean; providers: { provider: string; status: string; breaker: string }[] };
    expect(health.providers).toEqual([expect.objectContaining({ provider: 'mock', status: 'ok', breaker: 'closed' })]);
    expect(health.ok).toBe(true);
  });
});
