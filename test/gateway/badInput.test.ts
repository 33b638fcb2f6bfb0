import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/gatewayHarness.js';

/** Hostile and broken requests: each a clear 4xx problem+json, no crash, nothing stored. */
let h: Harness;

const PLAN = { alt: 1, title: 'Compute', tasks: [{ id: 'calc', kind: 'transform', expr: '1' }] };

interface Problem {
  status: number;
  code: string;
  detail: string;
  details?: { problems?: { field: string }[]; reason?: string };
}

async function problem(response: Response, status: number, code: string): Promise<Problem> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = (await response.json()) as Problem;
  expect(body.code).toBe(code);
  expect(body.status).toBe(status);
  return body;
}

/** A request exactly as written, without fetch's URL normalisation. */
function rawRequest(method: string, path: string, token: string): Promise<{ status: number; type: string | undefined; body: string }> {
  const url = new URL(h.gateway.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a socket, sends `head` and then nothing; resolves with what the server wrote before it closed the connection. */
function stall(head: string): Promise<{ text: string; ms: number }> {
  const url = new URL(h.gateway.url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(url.port), url.hostname, () => socket.write(head));
    let text = '';
    socket.setEncoding('utf8').on('data', (d: string) => (text += d));
    socket.on('close', () => resolve({ text, ms: Date.now() - started }));
    socket.on('error', reject);
    setTimeout(() => {
      socket.destroy();
      reject(new Error('the server kept a stalled connection open'));
    }, 10_000).unref();
  });
}

beforeAll(async () => {
  h = await startHarness({ server: '{ rate_limit: { auth_failures: 100000 }, headers_timeout_ms: 400, request_timeout_ms: 800, body_limit_bytes: 65536 }' });
});
afterAll(async () => {
  await h?.close();
});

describe('bad input', () => {
  it('malformed JSON', async () => {
    const body = await problem(await h.call('/v1/runs', { method: 'POST', body: '{"plan": {"alt": 1,' }), 400, 'LA_REQUEST_INVALID');
    expect(body.detail).toMatch(/not valid JSON/);
    // An empty body with a JSON type is no body: refused here because a run needs one.
    await problem(await h.call('/v1/runs', { method: 'POST', body: '', headers: { 'content-type': 'application/json' } }), 400, 'LA_REQUEST_INVALID');
  });

  it('wrong types and unknown fields, naming the field', async () => {
    const wrong = await problem(await h.call('/v1/runs', { method: 'POST', body: JSON.stringify({ plan: PLAN, concurrency: 'many' }) }), 400, 'LA_REQUEST_INVALID');
    expect(wrong.details?.problems?.[0]?.field).toBe('body.concurrency');
    const unknown = await problem(await h.call('/v1/runs', { method: 'POST', body: JSON.stringify({ plan: PLAN, priority: 'high' }) }), 400, 'LA_REQUEST_INVALID');
    expect(unknown.detail).toMatch(/priority/);
    await problem(await h.call('/v1/runs?limit=-3', { role: 'viewer' }), 400, 'LA_REQUEST_INVALID');
    await problem(await h.call('/v1/runs?verbose=1', { role: 'viewer' }), 400, 'LA_REQUEST_INVALID');
    await problem(await h.call('/v1/tokens', { method: 'POST', body: JSON.stringify({ name: 'x', role: 'root' }) }), 400, 'LA_REQUEST_INVALID');
  });

  it('a body that is not JSON', async () => {
    await problem(await h.call('/v1/runs', { method: 'POST', body: 'plan=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'LA_UNSUPPORTED_MEDIA_TYPE');
  });

  it('an oversized body is refused with 413 before it is parsed', async () => {
    const big = JSON.stringify({ plan: { ...PLAN, title: 'x'.repeat(70_000) } });
    const body = await problem(await h.call('/v1/runs', { method: 'POST', body: big }), 413, 'LA_BODY_TOO_LARGE');
    expect(body.detail).toContain('65536');
  });

  it('path traversal in ids', async () => {
    for (const path of ['/v1/runs/..%2F..%2Fetc%2Fpasswd', '/v1/runs/run-1%00x', '/v1/runs/..%5C..%5Cwindows']) {
      await problem(await h.call(path, { role: 'viewer' }), 400, 'LA_REQUEST_INVALID');
    }
    // fetch would turn %2e%2e into a dot segment and remove it; sent as written, the id is refused.
    const dots = await rawRequest('GET', '/v1/runs/%2e%2e', h.tokens.viewer);
    expect(dots.status).toBe(400);
    expect(JSON.parse(dots.body)).toMatchObject({ code: 'LA_REQUEST_INVALID' });
    await problem(await h.call('/v1/keys/..%2Fvault', { method: 'DELETE' }), 400, 'LA_REQUEST_INVALID');
    await problem(await h.call('/v1/runs/x/tasks/..%2F..%2Fy/approve', { role: 'operator', method: 'POST' }), 400, 'LA_REQUEST_INVALID');
    // Dot segments sent as they are (no client normalisation) match no route.
    const raw = await rawRequest('GET', '/v1/runs/../../etc/passwd', h.tokens.admin);
    expect(raw.status).toBe(404);
    expect(raw.type).toMatch(/^application\/problem\+json/);
  });

  it('prototype pollution payloads', async () => {
    const payloads = [
      `{"__proto__": {"polluted": true}, "plan": ${JSON.stringify(PLAN)}}`,
      `{"plan": {"alt": 1, "title": "t", "tasks": [], "__proto__": {"polluted": true}}}`,
      `{"constructor": {"prototype": {"polluted": true}}, "plan": ${JSON.stringify(PLAN)}}`,
    ];
    for (const body of payloads) {
      const refused = await problem(await h.call('/v1/runs', { method: 'POST', body }), 400, 'LA_REQUEST_INVALID');
      expect(refused.details?.reason).toBe('prototype_pollution');
    }
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('slow clients are cut off with 408 problem+json (slowloris)', async () => {
    const headers = await stall('GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    expect(headers.text).toMatch(/^HTTP\/1\.1 408/);
    expect(headers.text).toContain('application/problem+json');
    expect(headers.text).toContain('LA_REQUEST_TIMEOUT');
    const body = await stall(`POST /v1/runs HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${h.tokens.operator}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"plan":`);
    expect(body.text).toMatch(/^HTTP\/1\.1 408/);
    expect(body.text).toContain('LA_REQUEST_TIMEOUT');
  });

  it('garbage instead of HTTP gets 400 problem+json', async () => {
    const garbage = await stall('\u0000\u0001 NOT HTTP AT ALL\r\n\r\n');
    expect(garbage.text).toMatch(/^HTTP\/1\.1 400/);
    expect(garbage.text).toContain('LA_REQUEST_INVALID');
  });

  it('unknown routes and methods are 404 problem+json', async () => {
    await problem(await h.call('/v1/nothing-here'), 404, 'LA_ROUTE_NOT_FOUND');
    await problem(await h.call('/v1/runs', { method: 'PATCH', body: '{}' }), 404, 'LA_ROUTE_NOT_FOUND');
  });

  it('stored nothing and still serves', async () => {
    const runs = (await (await h.call('/v1/runs', { role: 'viewer' })).json()) as { runs: unknown[] };
    expect(runs.runs).toEqual([]);
    const tokens = (await (await h.call('/v1/tokens')).json()) as { tokens: unknown[] };
    expect(tokens.tokens).toHaveLength(3);
    expect((await h.call('/healthz', { token: null })).status).toBe(200);
  });
});
