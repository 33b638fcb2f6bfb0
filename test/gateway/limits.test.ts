import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/gatewayHarness.js';

/** Rate limits per token and per address, CORS (off unless configured), security headers, request ids. */
let strict: Harness;
let open: Harness;
const BAD = 'la_tok_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'; // secret-scan: allow (fake value for a test or benchmark)

beforeAll(async () => {
  strict = await startHarness({ server: '{ rate_limit: { max: 5, window_ms: 60000, auth_failures: 3 } }' });
  open = await startHarness({ server: '{ rate_limit: { auth_failures: 100000 }, cors_origins: ["https://ui.example.com"] }' });
});
afterAll(async () => {
  await strict?.close();
  await open?.close();
});

describe('rate limits', () => {
  it('counts per token: the sixth request in the window gets 429 with Retry-After; other tokens are unaffected', async () => {
    const statuses = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await strict.call('/v1/runs', { role: 'viewer' })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await strict.call('/v1/runs', { role: 'viewer' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const problem = (await limited.json()) as { code: string; category: string };
    expect(problem).toMatchObject({ code: 'LA_RATE_LIMITED', category: 'transient' });
    expect((await strict.call('/v1/runs', { role: 'operator' })).status).toBe(200);
    // Health checks are never limited.
    for (let i = 0; i < 8; i += 1) expect((await strict.call('/healthz', { token: null })).status).toBe(200);
  });

  it('answers a flood of bad tokens with 429 (unaudited), yet still lets a good token in from the same address', async () => {
    const audit = await strict.app.securityAudit();
    const before = (await audit.readAll()).filter((e) => e.category === 'auth').length;
    const statuses = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await strict.call('/v1/runs', { token: BAD })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    const after = (await audit.readAll()).filter((e) => e.category === 'auth').length;
    expect(after - before).toBe(3);
    expect((await strict.call('/v1/audit', { role: 'admin' })).status).toBe(200);
  });
});

describe('CORS', () => {
  it('is off unless configured: no CORS headers, preflight not answered', async () => {
    const response = await strict.call('/v1/models', { role: 'admin', headers: { origin: 'https://ui.example.com' } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${strict.gateway.url}/v1/runs`, { method: 'OPTIONS', headers: { origin: 'https://ui.example.com', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows exactly the configured origins', async () => {
    const preflight = await fetch(`${open.gateway.url}/v1/runs`, { method: 'OPTIONS', headers: { origin: 'https://ui.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://ui.example.com');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const other = await open.call('/v1/runs', { role: 'viewer', headers: { origin: 'https://evil.example.com' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const allowed = await open.call('/v1/runs', { role: 'viewer', headers: { origin: 'https://ui.example.com' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://ui.example.com');
    expect(allowed.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });
});

describe('headers', () => {
  it('sets security headers and a request id on every response, errors included', async () => {
    for (const response of [await open.call('/healthz', { token: null }), await open.call('/v1/runs', { token: null }), await open.call('/v1/nope')]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(response.headers.get('x-frame-options')).toBeTruthy();
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    // HSTS only over TLS.
    expect((await open.call('/healthz', { token: null })).headers.get('strict-transport-security')).toBeNull();
  });

  it('keeps a sane X-Request-Id from the client and replaces anything else', async () => {
    const kept = await open.call('/v1/runs', { role: 'viewer', headers: { 'x-request-id': 'trace-abc.123:XYZ' } });
    expect(kept.headers.get('x-request-id')).toBe('trace-abc.123:XYZ');
    const replaced = await open.call('/v1/nope', { headers: { 'x-request-id': 'bad id with spaces and\ttabs' } });
    const id = replaced.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await replaced.json()) as { instance: string }).instance).toBe(id);
  });

  it('serves the OpenAPI 3.1 description and the docs page', async () => {
    const spec = (await (await open.call('/openapi.json', { token: null })).json()) as { openapi: string; paths: Record<string, Record<string, { security?: unknown[] }>> };
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/v1/runs', '/v1/runs/{id}/events', '/v1/chat/completions', '/v1/keys/{provider}']));
    expect(spec.paths['/healthz']?.get?.security).toEqual([]);
    const page = await open.call('/docs/', { token: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    // The page's own policy lets its scripts load, and does not upgrade them to HTTPS on a plain-HTTP server.
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    expect((await open.call('/docs/static/swagger-ui-bundle.js', { token: null })).status).toBe(200);
  });
});

describe('event stream limits', () => {
  it('refuses a token more open event streams than configured with 429, and frees a slot when a stream closes', async () => {
    const h = await startHarness({ server: '{ rate_limit: { auth_failures: 100000 }, event_streams: { per_token: 2, total: 3 } }' });
    try {
      const plan = { alt: 1, title: 'Wait', tasks: [{ id: 'ask', kind: 'approval', message: 'Go?' }] };
      const started = (await (await h.call('/v1/runs', { role: 'operator', method: 'POST', body: JSON.stringify({ plan }) })).json()) as { events_url: string };
      // The run waits for a person, so its streams stay open.
      const open = async (role: 'viewer' | 'operator' | 'admin'): Promise<{ response: Response; controller: AbortController }> => {
        const controller = new AbortController();
        return { response: await h.call(started.events_url, { role, signal: controller.signal }), controller };
      };
      const first = await open('viewer');
      const second = await open('viewer');
      expect([first.response.status, second.response.status]).toEqual([200, 200]);
      const third = await open('viewer');
      expect(third.response.status).toBe(429);
      expect(Number(third.response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await third.response.json()).toMatchObject({ code: 'LA_TOO_MANY_STREAMS', category: 'transient' });
      // Another token has its own share, up to the server's total.
      const operator = await open('operator');
      expect(operator.response.status).toBe(200);
      const admin = await open('admin');
      expect(admin.response.status).toBe(429);
      expect(((await admin.response.json()) as { detail: string }).detail).toContain('server.event_streams.total');
      // Closing a stream gives its slot back.
      first.controller.abort();
      await expect.poll(async () => {
        const again = await open('viewer');
        again.controller.abort();
        return again.response.status;
      }).toBe(200);
      for (const stream of [second, operator]) stream.controller.abort();
    } finally {
      await h.close();
    }
  });
});
